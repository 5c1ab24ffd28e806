"""Line-level boilerplate rules as data.

Each rule has a stable dotted name `family.variant` that appears verbatim in
`removed_lines.rule`. A rule fires on a whole line when its pattern matches, the line is
short enough (`max_words`: a long body sentence that merely mentions "subscribers" or
"photo" stays) and it sits where the rule allows (`scope`).

Scopes:
- `any`:  anywhere in the body.
- `head`: within the first `HEAD_LINES` lines (bylines, datelines, credits above the text).
- `edge`: within the first `HEAD_LINES` or the last `TAIL_LINES` lines.
- `cut`:  in the second half of the body; the line *and everything after it* is dropped
          (a comment section or "Related articles" list runs to the end of the page).

To add a rule: append a `Rule` below with a new dotted name, a pattern anchored at the line
start, the tightest `max_words` that still catches it, and a golden test in
`tests/test_boilerplate.py` with one line it must drop and one body sentence it must keep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HEAD_LINES = 4
TAIL_LINES = 6


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    max_words: int = 25
    scope: str = "any"
    metadata: bool = False
    """Byline/dateline rules: the match's `author`/`date` groups feed article metadata."""

    def matches(self, line: str, n_words: int) -> re.Match[str] | None:
        if n_words > self.max_words:
            return None
        return self.pattern.search(line)


def _r(name: str, pattern: str, max_words: int = 25, scope: str = "any", metadata: bool = False) -> Rule:
    return Rule(name, re.compile(pattern, re.IGNORECASE | re.UNICODE), max_words, scope, metadata)


_DATE = (
    r"(?P<date>(?:\w+,?\s+)?(?:\d{1,2}(?:st|nd|rd|th)?\.?\s+\w+\.?,?\s+\d{4}|\w+\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2,4})(?:,?\s+(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*[A-Z]{2,4})?)?)"
)
_SOCIAL = r"(?:facebook|twitter|x|linkedin|whatsapp|telegram|pinterest|reddit|e-?mail|print|flipboard|messenger|xing|tumblr|threads|bluesky|copy link|share|tweet|teilen|partager|compartir|condividi)"

RULES: tuple[Rule, ...] = (
    # --- bylines and datelines: removed from the body, kept as metadata ----------------------
    _r("byline.by_date", r"^(?:by|von|par|por|di)\s+(?P<author>[^•|·]{2,80}?)\s*[•|·]\s*" + _DATE + r"\s*$",
       20, "head", True),
    _r("byline.by", r"^(?:by|von|par|por|di)\s+(?P<author>[A-Z\u00c0-\u017f][\w.'\u2019-]*(?:\s+(?:and\s+|&\s+|und\s+|et\s+|y\s+|e\s+)?[A-Z\u00c0-\u017f][\w.'\u2019-]*){0,5})\s*$",
       8, "head", True),
    _r("dateline.published", r"^(?:published|posted|updated|last updated|veröffentlicht|aktualisiert|stand|publié|mis à jour|publicado|actualizado|pubblicato|aggiornato)(?:\s+(?:on|am|le|el|il))?\s*:?\s*" + _DATE + r"\s*$",
       14, "edge", True),
    _r("dateline.status", r"^(?:video|audio|podcast|sendung)?\s*(?:verfügbar bis|available until|disponible jusqu'au|disponible hasta)\b.{0,40}$|^(?:last modified|zuletzt (?:geändert|aktualisiert)|letzte aktualisierung(?: am)?|dernière mise à jour|última actualización)\b.{0,80}$", 16, "edge"),
    _r("dateline.bare", r"^" + _DATE + r"\s*$", 8, "edge", True),
    # --- comment forms and comment sections ---------------------------------------------------
    _r("comments.cut", r"^(?:leave a reply|leave a comment|comments|kommentare|commentaires|comentarios|commenti|\d+ (?:comments|responses|replies))\s*:?\s*$", 4, "cut"),
    _r("comments.form", r"^(?:please enter your (?:comment|name|email)|you have entered an incorrect email|leave a (?:reply|comment|response)|post a comment|add a comment|write a comment|cancel reply|your email address will not be published|required fields are marked|save my name, email|comments are closed|log in to (?:comment|reply)|be the first to comment|join the (?:conversation|discussion)|kommentar (?:schreiben|verfassen|abgeben)|schreiben sie einen kommentar|laisser un commentaire|laissez un commentaire|deja (?:un|tu) comentario|lascia un commento)\b", 16),
    _r("comments.count", r"^(?:\d+\s+)?(?:comments?|kommentare?|commentaires?|comentarios?|commenti)\s*(?:\(\d+\)|:)?\s*$", 3),
    # --- subscribe and newsletter prompts ------------------------------------------------------
    _r("subscribe.prompt", r"^(?:click here to\s+|please\s+)?(?:subscribe|subcribe|sign\s*up|signup|register|join)\b.{0,80}\b(?:newsletter|e-?blast|e-?mail|inbox|updates|mailing list|alerts|digest|free)\b", 20),
    _r("subscribe.inbox", r"^(?:keep an eye on your inbox|check your inbox|thank you for (?:subscribing|signing up)|thanks for (?:subscribing|signing up)|you(?:'re| are) (?:now )?subscribed|there was an error processing your subscription|get the latest .{0,60} delivered|enter your e-?mail(?: address)?(?: here| below)?\s*$)\b", 20),
    _r("subscribe.paywall", r"^(?:subscribe(?: now)?(?: to (?:continue|read))?|already a subscriber\??|become a (?:member|subscriber)|support (?:our|independent) journalism|this (?:article|content) is (?:for|available to) subscribers)\b", 16),
    _r("subscribe.support", r"^(?:unterstütze|unterstützen sie|support us|support our|please support|become a patron|donate|spenden sie|we need your help|help us continue|tú también puedes|hazte (?:socio|miembro)|apoya (?:nuestro|el) periodismo|soutenez|sostienici)\b", 30),
    _r("subscribe.channel", r"(?:únete|join|folge|suivez|siga|segui)\b.{0,60}\b(?:telegram|whatsapp|canal|channel|kanal)\b|(?:telegram|whatsapp)[- ](?:kanal|channel|canal)", 30),
    _r("subscribe.newsletter_any", r"^(?!.*\b(?:said|says|told|sagte|erklärte|dijo|a déclaré)\b).{0,80}\b(?:newsletter|musiknewsletter|boletín|infolettre)\b.{0,60}[!?.]?$", 20),
    _r("subscribe.de", r"^(?:newsletter\s+(?:abonnieren|bestellen)|jetzt\s+(?:abonnieren|anmelden|registrieren)|melden sie sich .{0,40}newsletter|abonnieren sie\b)", 20),
    _r("subscribe.fr", r"^(?:abonnez-vous|inscrivez-vous|recevez (?:notre|la) newsletter|je m'abonne)\b", 20),
    _r("subscribe.es", r"^(?:suscr[ií]bete|suscr[ií]base|reg[ií]strate|recibe (?:nuestro|el) bolet[ií]n)\b", 20),
    _r("subscribe.it", r"^(?:iscriviti|abbonati|ricevi la (?:nostra )?newsletter)\b", 20),
    # --- copyright and legal -----------------------------------------------------------------
    _r("copyright.line", r"^(?:(?:©|\(c\))\s*\S|copyright\s*(?:©|\(c\)|\d{4}))", 30),
    _r("copyright.rights", r"\b(?:all rights reserved|alle rechte vorbehalten|tous droits réservés|todos los derechos reservados|tutti i diritti riservati)\b", 25),
    # --- photo and image credits, captions ----------------------------------------------------
    _r("credit.photo", r"^(?:\(?\s*(?:photo|photos|photograph|image|images|picture|pictures|foto|fotos|bild|bilder|crédit photo|crédits? photo|illustration|video)\s*(?:by|credit|credits|courtesy(?: of)?|:|©|\()|©\s*\w)", 25),
    _r("credit.agency", r"^.{0,120}?(?:/|\|)\s*(?:ap|afp|reuters|dpa|epa|tps|getty images|istock|shutterstock|ansa|efe|picture alliance|imago|keystone)(?:\s+(?:photo|images))?\b[^.!?]{0,40}$", 22),
    _r("credit.credits", r"^(?:crédits? photos?|credits?|bildnachweis|bildquelle|fotonachweis|fotos?|bild|grafik|abbildung \d+|fig(?:ure|\.)? ?\d+|imagen|immagine|foto di)\s*:", 20),
    _r("credit.copyright_tail", r"[|/(]?\s*(?:©|\(c\)|foto:|photo:|bild:)\s*[\w.\- ]{2,40}(?:/\s*[\w.\- ]{2,40})?\)?\s*$", 30),
    _r("credit.caption_source", r"^(?:source|quelle|fuente|fonte)\s*:\s*\S.{0,80}$", 12),
    # --- share and follow rows ----------------------------------------------------------------
    _r("share.row", r"^(?:(?:share|teilen|partager|compartir|condividi)(?: this| on| via| article| story)?\s*:?\s*)?(?:" + _SOCIAL + r"[\s,|/•·]*){1,}$", 12),
    _r("share.follow", r"^(?:follow us|folgen sie uns|suivez-nous|síguenos|seguici|like us on|find us on|join us on)\b", 14),
    _r("share.follow_on", r"^(?:follow|folge|folgt|suivez|siga|segui)\b.{0,60}\bon\s+(?:twitter|facebook|instagram|linkedin|tiktok|youtube|x)\b", 40),
    _r("share.prompt", r"^(?:share (?:this|the) (?:article|story|post|page)|click to share|share on \w+|teilen auf|partager sur)\b", 10),
    # --- related / read-more lists ------------------------------------------------------------
    _r("related.cut", r"^(?:related (?:articles|stories|posts)|more stories|you may also like|you might also like|recommended for you|weitere artikel|mehr zum thema|à lire aussi|te puede interesar|potrebbe interessarti)\s*:?\s*$", 6, "cut"),
    _r("related.heading", r"^(?:read more|read also|related|related (?:articles|stories|posts|news|content)|see also|more from|more on this|more stories|popular on|most read|most popular|trending|recommended(?: for you)?|you may also like|you might also like|also read|don't miss|lesen sie auch|mehr zum thema|auch interessant|das könnte sie auch interessieren|weitere artikel|lire aussi|à lire aussi|a lire aussi|voir aussi|leer más|lee también|te puede interesar|leggi anche|potrebbe interessarti|mehr themen|weitere themen|weitere artikel(?: zum thema)?|kommentierte artikel|(?:das|diese) (?:thema|artikel) (?:könnten?|dürften?) (?:dich|sie|euch) auch interessieren|auch lesenswert|lea (?:también|más|además)|lea|le puede interesar|le podría interesar|puedes ver|mire|contenido relacionado|noticias relacionadas|artículos relacionados|articles (?:liés|similaires)|sur le même sujet|articoli correlati|related coverage|further reading|more coverage)\b\s*:?", 18),
    _r("related.label", r"^(?:temas|themen|tags|schlagwörter|stichworte|mots-clés|etichette|inhaltsverzeichnis|table of contents|contents|sommaire|índice|indice)\s*:?\s*$", 3),
    # --- cookie and privacy notices -----------------------------------------------------------
    _r("cookies.notice", r"^(?:we use cookies|this (?:web)?site uses cookies|by (?:continuing|using) (?:to use )?(?:this|our) (?:web)?site|accept (?:all )?cookies|cookie (?:policy|settings|preferences)|manage (?:cookies|consent)|diese (?:web)?(?:seite|site) verwendet cookies|wir verwenden cookies|ce site utilise des cookies|nous utilisons des cookies|este sitio (?:web )?utiliza cookies|utilizamos cookies|questo sito utilizza (?:i )?cookie)\b", 60),
    _r("privacy.notice", r"^(?:privacy policy|data protection|datenschutz(?:erklärung|hinweis)?|politique de confidentialité|política de privacidad|informativa (?:sulla )?privacy)\s*(?:[|•·].*)?$", 12),
    # --- ads and sponsored -------------------------------------------------------------------
    _r("ads.affiliate", r"(?:affiliate[- ]links?|partnerlinks?|provisions-links?|this (?:post|article|page) (?:contains|may contain) (?:affiliate|references to products)|we may (?:receive|earn) (?:a )?(?:compensation|commission)|enlaces de afiliados|liens affiliés|link di affiliazione|\*?bonus value is an estimated value)", 40),
    _r("ads.label", r"^(?:advertisement|advertising|sponsored(?: content| post)?|paid content|partner content|anzeige|werbung|publicité|publicidad|pubblicità|scroll to continue(?: with content)?)\s*$", 4),
)


def select(enabled: tuple[str, ...] = (), disabled: tuple[str, ...] = ()) -> tuple[Rule, ...]:
    """Rules whose names start with an enabled prefix (all if none) and no disabled prefix."""

    def on(name: str) -> bool:
        if enabled and not any(name.startswith(p) for p in enabled):
            return False
        return not any(name.startswith(p) for p in disabled)

    return tuple(r for r in RULES if on(r.name))
