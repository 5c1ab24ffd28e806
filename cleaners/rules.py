"""Line-level boilerplate rules as data.

Each rule has a stable dotted name `family.variant` that appears verbatim in
`removed_lines.rule`. A rule fires on a whole line when its pattern matches, the line is
short enough (`max_words`: a long body sentence that merely mentions "subscribers" or
"photo" stays) and it sits where the rule allows (`scope`).

Scopes:
- `any`:  anywhere in the body.
- `head`: within the first `HEAD_LINES` lines (bylines, datelines, credits above the text).
- `edge`: within the first `HEAD_LINES` or the last `TAIL_LINES` lines.
- `tail`: within the last two lines (agency sign-offs such as "GIS" or "(AFP)").
- `late`: in the second half of the body (section labels such as "Kontakt:" above a footer).
- `cut`:  in the second half of the body; the line *and everything after it* is dropped
          (a comment section or "Related articles" list runs to the end of the page).

To add a rule: append a `Rule` below with a new dotted name, a pattern anchored at the line
start, the tightest `max_words` that still catches it, and a golden test in
`tests/test_boilerplate.py` with one line it must drop and one body sentence it must keep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

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
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2,4})(?:\s*[,.–-]?\s+(?:at\s+|um\s+|à\s+|a las\s+)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*[A-Z]{2,4})?)?)"
)
_SOCIAL = r"(?:facebook|twitter|x|linkedin|whatsapp|telegram|pinterest|reddit|e-?mail|print|flipboard|messenger|xing|tumblr|threads|bluesky|copy link|share|tweet|teilen|partager|compartir|condividi)"

RULES: tuple[Rule, ...] = (
    # --- bylines and datelines: removed from the body, kept as metadata ----------------------
    _r(
        "byline.by_date",
        r"^(?:by|von|par|por|di)\s+(?P<author>[^•|·]{2,80}?)\s*[•|·]\s*" + _DATE + r"\s*$",
        20,
        "head",
        True,
    ),
    _r(
        "byline.by",
        r"^(?:(?:written|posted|reported|text|words|story|article|geschrieben|verfasst|escrito|écrit|scritto)\s+(?:by|von|por|par|da)|by|von|par|por|di|autor(?:in)?|author|texto?)\s*:?\s+(?P<author>(?-i:[A-Z\u00c0-\u00de\u0100-\u017f])[\w.'\u2019-]*(?:\s+(?:and\s+|&\s+|und\s+|et\s+|y\s+|e\s+)?(?-i:[A-Z\u00c0-\u00de\u0100-\u017f])[\w.'\u2019-]*){0,5})\s*$",
        8,
        "head",
        True,
    ),
    _r(
        "dateline.published",
        r"^(?:published|posted|updated|last updated|veröffentlicht|aktualisiert|stand|publié|mis à jour|publicado|actualizado|pubblicato|aggiornato)(?:\s+(?:on|am|le|el|il))?\s*:?\s*"
        + _DATE
        + r"\.?\s*$",
        14,
        "edge",
        True,
    ),
    _r(
        "dateline.status",
        r"^(?:video|audio|podcast|sendung)?\s*(?:verfügbar bis|available until|disponible jusqu'au|disponible hasta)\b.{0,40}$|^(?:last modified|zuletzt (?:geändert|aktualisiert)|letzte (?:aktualisierung|änderung)(?: am)?|dernière mise à jour|última actualización)\b.{0,80}$",
        16,
    ),
    _r("dateline.meta", r"^" + _DATE + r"\s*(?:[|•·]\s*[^|•·]{1,60}){1,4}\s*\|?$", 20, "head", True),
    _r("dateline.source", r"^[^•|·@\d]{2,40}?\s*[•|·]\s*" + _DATE + r"\s*$", 10, "head", True),
    _r(
        "dateline.reading_time",
        r"^(?:\d+\s*)?(?:min(?:ute)?s?\.?|minuten)\s+(?:read|lesezeit|lesedauer|de lecture|de lectura|di lettura)\s*$|^ten tekst przeczytasz\b.{0,30}$|^(?:lesezeit|lesedauer|reading time|temps de lecture|tiempo de lectura|tempo di lettura|czas czytania)\s*:?\s*(?:ca\.\s*)?\d+\s*(?:min\w*)?\.?$",
        8,
    ),
    _r(
        "dateline.label",
        r"^(?:posted|published|updated|veröffentlicht|aktualisiert|publicado|actualizado|publié|mis à jour|pubblicato)(?:\s+(?:on|am|el|le|il|by|von|por|par))?\s*:?$",
        3,
        "edge",
    ),
    _r(
        "byline.contact",
        r"^(?P<author>[^@|•·]{2,60}?)\s+\S+@\S+\.\w{2,}(?:\s*[|•·]\s*" + _DATE + r")?\s*$",
        14,
        "head",
        True,
    ),
    # "Candice Sealey is the Founder & Principal Consultant at ...": an author box under the text.
    Rule(
        "byline.bio_box",
        re.compile(
            r"^(?:[A-Z\u00c0-\u017f][\w.'\u2019-]+ ){1,3}(?:is|ist|es|est|è|war|was)\b(?:(?!\. ).){0,80}?\b"
            r"(?i:co-?founder|founder|journalist(?:in)?|reporter(?:in)?|writer|editor|columnist|correspondent|"
            r"freelance(?:r)?|contributor|blogger(?:in)?|consultant|redakteur(?:in)?|gründer(?:in)?|kolumnist(?:in)?|"
            r"autor(?:in)?|periodista|redactor(?:a)?|escritor(?:a)?|columnista|journaliste|rédact(?:eur|rice)|giornalista)\b",
            re.UNICODE,
        ),
        80,
        "tail",
    ),
    Rule("credit.signoff", re.compile(r"^[(\[]?[A-Z]{2,6}(?:/[A-Z]{2,6})*[)\]]?\.?$"), 1, "tail"),
    _r(
        "dateline.relative",
        r"^(?:updated |published |posted |aktualisiert |veröffentlicht )?(?:(?:\d+|an?|one) (?:min(?:ute)?s?|hours?|hrs?|days?|weeks?|months?) ago|vor (?:\d+|einer|einem|zwei|drei) (?:minuten?|stunden?|tagen?|wochen?)|il y a \d+ (?:minutes?|heures?|jours?)|hace \d+ (?:minutos?|horas?|días?))\.?$",
        7,
        "edge",
    ),
    _r("dateline.bare", r"^" + _DATE + r"\s*$", 8, "edge", True),
    # --- comment forms and comment sections ---------------------------------------------------
    _r(
        "comments.cut",
        r"^(?:leave a reply|leave a comment|comments|kommentare|commentaires|comentarios|commenti|\d+ (?:comments|responses|replies))\s*:?\s*$",
        4,
        "cut",
    ),
    _r(
        "comments.form",
        r"^(?:please enter your (?:comment|name|email)|you have entered an incorrect email|leave a (?:reply|comment|response)|post a comment|add a comment|write a comment|cancel reply|your email address will not be published|required fields are marked|save my name, email|comments are closed|no comments(?: yet)?|keine kommentare|noch keine kommentare|aucun commentaire|sin comentarios|nessun commento|(?:you )?must be logged in|(?:du )?musst (?:eingeloggt|angemeldet) sein|(?:sie )?müssen (?:eingeloggt|angemeldet) sein|sie sind (?:aktuell )?nicht (?:eingeloggt|angemeldet)|vous devez être connecté|debes iniciar sesión|log in to (?:comment|reply)|be the first to comment|join the (?:conversation|discussion)|kommentar (?:schreiben|verfassen|abgeben)|schreiben sie einen kommentar|laisser un commentaire|laissez un commentaire|deja (?:un|tu) comentario|lascia un commento)\b",
        16,
    ),
    # An invitation to comment, not a sentence that reports what commenters said.
    _r(
        "comments.prompt",
        r"\b(?:let us know|tell us|share your|leave|drop|write|post|verraten sie|verratet|schreibt|schreiben sie|teilt|teilen sie|dites-nous|partagez|cuéntanos|déjanos|diteci|scrivete)\b.{0,60}\b(?:in den kommentaren|in die kommentare|in the comments|dans les commentaires|en (?:los )?comentarios|nei commenti)\b|\b(?:in den kommentaren|in the comments|dans les commentaires|en los comentarios|nei commenti)\s*[:!?]|\b(?:submit|send|write)\b.{0,40}\bletters? to the editor\b|\bleserbrief (?:schreiben|senden)\b",
        25,
        "edge",
    ),
    _r(
        "comments.count",
        r"^(?:\d+\s+)?(?:comments?|kommentare?|commentaires?|comentarios?|commenti)(?:\s+(?:insgesamt|total))?\s*(?:\(\d+\)|:)?\s*\d*\s*$",
        4,
    ),
    # --- subscribe and newsletter prompts ------------------------------------------------------
    _r(
        "subscribe.prompt",
        r"^(?:click here to\s+|please\s+)?(?:subscribe|subcribe|sign\s*up|signup|register|join)\b.{0,80}\b(?:newsletter|e-?blast|e-?mail|inbox|updates|mailing list|alerts|digest|free)\b",
        20,
    ),
    _r(
        "subscribe.inbox",
        r"^(?:keep an eye on your inbox|check your inbox|thank you for (?:subscribing|signing up)|thanks for (?:subscribing|signing up)|you(?:'re| are) (?:now )?subscribed|there was an error processing your subscription|get the latest .{0,60} delivered|enter your e-?mail(?: address)?(?: here| below)?\s*$)\b",
        20,
    ),
    _r(
        "subscribe.paywall",
        r"^(?:subscribe(?: now)?(?: to (?:continue|read))?|already a subscriber\??|become a (?:member|subscriber)|support (?:our|independent) journalism|this (?:article|content) is (?:for|available to) subscribers)\b",
        16,
    ),
    _r(
        "subscribe.paywall_any",
        r"\b(?:already (?:a|an existing) (?:subscriber|member)|to (?:view|read|continue reading|access) (?:the|this) (?:full|entire|whole) (?:story|article)|subscribe to (?:continue|keep) reading|first-time subscribers|unlimited (?:digital )?access|join now or renew|subscribers? (?:can|may) log ?in|pour lire la suite|pour accéder en illimité|(?:la suite|cet article) est réservée? aux abonnés|réservé aux abonnés|para seguir leyendo|(?:solo|sólo|exclusivo) para suscriptores|(?:jetzt )?weiterlesen mit\b|consider supporting|support (?:our|this) work|unterstützen sie unsere arbeit|soutenir notre travail|keine bezahlschranke|no paywall|bereits abonnent|schon abonnent|déjà abonné|ya (?:eres|es) suscriptor|sei già abbonato)\b",
        40,
    ),
    _r("subscribe.signup", r"^(?:sign up|signup|register) (?:to get|to receive|for (?:our|the|free))\b", 25),
    _r(
        "subscribe.app",
        r"^(?:(?:for|para|für|pour|per) .{0,80}?)?(?:download|get|install|descarga|descargue|baixe|laden sie|lade dir|téléchargez|scarica)\b.{0,60}\b(?:apps?|application|aplicación|anwendung)\b.{0,40}\b(?:ios|android|app store|google play|play store)\b",
        30,
    ),
    _r(
        "subscribe.support",
        r"^(?:unterstütze|unterstützen sie|support us|support our|please support|become a patron|donate|spenden sie|we need your help|help us continue|tú también puedes|hazte (?:socio|miembro)|apoya (?:nuestro|el) periodismo|soutenez|sostienici)\b",
        30,
    ),
    _r(
        "subscribe.channel",
        r"(?:únete|join|folge|suivez|siga|segui)\b.{0,60}\b(?:telegram|whatsapp|canal|channel|kanal)\b|(?:telegram|whatsapp)[- ](?:kanal|channel|canal)|\bcanal de (?:telegram|whatsapp|youtube)\b|\b(?:our|unser(?:em|en)?|notre|nuestro|il nostro) (?:youtube|telegram|whatsapp|tiktok|instagram)[- ]?(?:channel|kanal|chaîne|canal|account|profile)?\b.{0,40}[!?]?$",
        30,
    ),
    _r(
        "subscribe.newsletter_any",
        r"^(?!.*\b(?:said|says|told|sagte|erklärte|dijo|a déclaré)\b).{0,80}\b(?:newsletter|musiknewsletter|boletín|infolettre)\b.{0,60}[!?.]?$",
        20,
    ),
    _r(
        "subscribe.our_newsletter",
        r"\b(?:our|unser(?:en|em)?|notre|nuestr[oa]|il nostro|la nostra) (?:\w+ )?(?:newsletter|e-?mail updates|bolet[ií]n|infolettre)\b|\brss(?:-feed)?\b.{0,20}\b(?:abonnieren|subscribe)\b|\bsubscribe\b.{0,20}\brss\b|\b(?:sign up|register|subscribe) here\b|\bhier (?:anmelden|registrieren|abonnieren)\b|\binscrivez-vous ici\b|\bzapraszamy (?:też |również )?do subskrypcji\b|\bsuscr[ií]bete aquí\b",
        30,
    ),
    _r(
        "subscribe.de",
        r"^(?:newsletter\s+(?:abonnieren|bestellen)|jetzt\s+(?:abonnieren|anmelden|registrieren)|melden sie sich .{0,40}newsletter|abonnieren sie\b)",
        20,
    ),
    _r("subscribe.fr", r"^(?:abonnez-vous|inscrivez-vous|recevez (?:notre|la) newsletter|je m'abonne)\b", 20),
    _r("subscribe.es", r"^(?:suscr[ií]bete|suscr[ií]base|reg[ií]strate|recibe (?:nuestro|el) bolet[ií]n)\b", 20),
    _r("subscribe.it", r"^(?:iscriviti|abbonati|ricevi la (?:nostra )?newsletter)\b", 20),
    # --- embedded media labels and pager links ----------------------------------------------
    _r(
        "media.label",
        r"^(?:im video|video|videos|watch|watch now|listen|podcast|audio|en vidéo|vidéo|ver video|mira el video|guarda il video|zum video|galerie|gallery|bildergalerie|fotogalerie|fotostrecke|slideshow)\s*:",
        14,
    ),
    _r(
        "media.listen",
        r"^(?:listen to (?:this )?(?:article|story)|listen(?: now)?|artikel (?:anhören|vorlesen(?: lassen)?)|(?:audio|beitrag) (?:abspielen|anhören)|écouter (?:cet |l')?article|escuchar (?:la )?(?:noticia|nota)|ascolta (?:l')?articolo)\b.{0,30}$",
        8,
    ),
    _r(
        "nav.pager",
        r"^(?:next|previous|prev|up next|nächste[rsn]? (?:artikel|beitrag|seite)|vorherige[rsn]? (?:artikel|beitrag|seite)|weiter zu teil \d+|siguiente|anterior|suivant|précédent|successivo|precedente)\s*:",
        8,
        "edge",
    ),
    # --- calls to action ---------------------------------------------------------------------
    _r("cta.click", r"\b(?:click here|hier klicken|cliquez ici|haga clic aquí|haz clic aquí|clicca qui)\b", 20, "edge"),
    _r(
        "cta.issue",
        r"^(?:die |the |la |le )?(?:aktuelle|neue|latest|current|new|dernière|nueva|última) (?:ausgabe|issue|edition|heft|numéro|edición)\b.{0,40}\b(?:jetzt|now|erhältlich|available|kiosk|abo|e-paper|disponible)\b",
        25,
    ),
    # --- copyright and legal -----------------------------------------------------------------
    _r("copyright.line", r"^(?:(?:©|\(c\))\s*\S|copyright\s*(?:©|\(c\)|\d{4}|:))", 30),
    _r(
        "copyright.notice",
        r"^(?:©|\(c\)|copyright\b)|^(?=.*\b(?:reprint|reproduc|republish|redistribut|nachdruck|vervielfältig)\w*)(?=.*\b(?:permission|prohibited|copyright\w*|genehmigung|untersagt)\b)",
        80,
        "edge",
    ),
    _r(
        "copyright.rights",
        r"\b(?:all rights reserved|alle rechte vorbehalten|tous droits réservés|todos los derechos reservados|tutti i diritti riservati|chroniony prawem autorskim|wszelkie prawa zastrzeżone)\b",
        25,
    ),
    # --- photo and image credits, captions ----------------------------------------------------
    _r(
        "credit.photo",
        r"^(?:\(?\s*(?:photo|photos|photograph|image|images|picture|pictures|foto|fotos|fot\.|bild|bilder|crédit photo|crédits? photo|illustration|image illustrative|image d'illustration|photo d'illustration|illustrationsbild|foto de archivo|imagen de archivo|video)\s*(?:by|credit|credits|courtesy(?: of)?|:|©|\()|©\s*\w)",
        25,
    ),
    _r(
        "credit.agency",
        r"^.{0,120}?(?:/|\|)\s*(?:ap|afp|reuters|dpa|epa|tps|getty images|istock|shutterstock|ansa|efe|picture alliance|imago|keystone|pap|apa|kna|epd|sda|ats|anp|belga|agencja gazeta|east news)(?:\s+(?:photo|images))?\b[^.!?]{0,40}$",
        22,
    ),
    _r(
        "credit.agency_only",
        r"^\(?\s*(?:ap|afp|reuters|epa|dpa|upi|getty images|getty|ap photo|afp photo|reuters photo|epa-efe|efe|ansa|anp|apa|keystone|imago|picture alliance|shutterstock|istock(?:photo)?)(?:\s*(?:photo|images|foto|bild))?(?:\s*(?:/|via)\s*[^)]{1,60})?\s*\)?\.?$",
        12,
    ),
    _r(
        "credit.credits",
        r"^(?:(?:illustrationen?|fotos?|bilder?|photos?) ?/ ?(?:illustrationen?|fotos?|bilder?|photos?)|crédits? photos?|credits?|bildnachweis|bildquelle|fotonachweis|fotos?|bild|grafik|abbildung \d+|fig(?:ure|\.)? ?\d+|imagen|immagine|foto di|beitragsbild|titelbild|headerbild|symbolbild|aufmacherbild|teaserbild|vorschaubild|featured image|header image|cover image|image source|image caption|media caption)\s*[:,]",
        20,
    ),
    _r(
        "credit.caption_paren",
        r"\(\s*(?:foto|fotos|photo|photos|bild|image|imagen|immagine|crédit|credit|symbolbild|symbolfoto)\s*:\s*[^()]{2,80}\)\.?\s*$",
        40,
    ),
    _r(
        "credit.copyright_tail",
        r"[|/(]?\s*(?:©|\(c\)|foto:|photo:|bild:)\s*[\w.\- ]{2,40}(?:/\s*[\w.\- ]{2,40})?\)?\s*$",
        30,
    ),
    _r("credit.caption_source", r"^(?:source|quelle|fuente|fonte)\s*:\s*\S.{0,80}$", 12),
    # --- share and follow rows ----------------------------------------------------------------
    _r(
        "share.row",
        r"^(?:(?:share|teilen|partager|compartir|condividi)(?: this| on| via| article| story)?\s*:?\s*)?(?:"
        + _SOCIAL
        + r"[\s,|/•·]*){1,}$",
        12,
    ),
    _r(
        "share.follow",
        r"^(?:follow us|folgen sie uns|suivez-nous|síguenos|seguici|like us on|find us on|join us on)\b",
        14,
    ),
    _r(
        "share.follow_on",
        r"^(?:follow|folge|folgt|suivez|siga|segui)\b.{0,60}\bon\s+(?:twitter|facebook|instagram|linkedin|tiktok|youtube|x)\b",
        40,
    ),
    _r(
        "share.prompt",
        r"^(?:share (?:this|the) (?:article|story|post|page)|click to share|share on \w+|teilen auf|partager sur)\b",
        10,
    ),
    _r(
        "share.ui",
        r"^(?:bild|bilder|foto|fotos|image|images|galerie|gallery|video) (?:anzeigen|vergrößern|ansehen|öffnen|zoom|enlarge|view|öffnen)\s*$|^(?:zur (?:galerie|bildergalerie|startseite|übersicht)|back to (?:top|overview|home)|nach oben|zurück(?: zur übersicht)?|retour en haut|volver arriba|torna su)\s*$",
        5,
    ),
    # --- related / read-more lists ------------------------------------------------------------
    _r(
        "related.cut",
        r"^(?:related (?:articles|stories|posts|news|content|coverage)|more stories|more (?:news|articles) (?:from|on)\b.{0,30}|you may also like|you might also like|recommended for you|weitere artikel|weitere beiträge\b.{0,30}|mehr zum thema|à lire aussi|sur le même sujet|te puede interesar|(?:notas|noticias|artículos) relacionad[oa]s|potrebbe interessarti|articoli correlati)\s*:?\s*$",
        8,
        "cut",
    ),
    _r(
        "related.heading",
        r"^(?:read more|read also|related|related (?:articles|stories|posts|news|content)|see also|more from|more on this|more stories|popular on|most read|most popular|trending|recommended(?: for you)?|you may also like|you might also like|also read|don't miss|lesen sie auch|mehr zum thema|auch interessant|das könnte sie auch interessieren|weitere artikel|lire aussi|à lire aussi|a lire aussi|voir aussi|leer más|lee también|te puede interesar|leggi anche|potrebbe interessarti|mehr themen|weitere themen|weitere artikel(?: zum thema)?|kommentierte artikel|(?:das|diese) (?:thema|artikel) (?:könnten?|dürften?) (?:dich|sie|euch) auch interessieren|auch lesenswert|lea (?:también|más|además)|lea|le puede interesar|le podría interesar|puedes ver|mire|contenido relacionado|noticias relacionadas|artículos relacionados|articles (?:liés|similaires)|sur le même sujet|articoli correlati|related coverage|further reading|more coverage|auch lesen|lies auch|lesen sie (?:auch|mehr|hier)|schon gelesen|zum weiterlesen|empfohlene (?:beiträge|artikel)|top-themen\b.{0,30}|weitere (?:aktuelle )?themen\b.{0,40}|beiträge aus dem forum|czytaj (?:też|także|więcej)|zobacz (?:też|także|więcej)|dowiedz się więcej|(?:\.\.\.|…)?\s*(?:weiterlesen|weiter zu|continue reading|lire la suite|seguir leyendo|continua a leggere)|vea (?:también|además)|mira (?:también|además)|lee (?:también|además)|notas relacionadas)\b\s*:?",
        18,
    ),
    _r(
        "related.more_about",
        r"^(?:more (?:about|from|on)|mehr (?:über|von|zu|aus)|plus (?:sur|de)|más (?:sobre|de)|altro su|auch auf|weitere (?:beiträge|artikel|infos|informationen) (?:aus|zu|von|über)\b.{0,30})\b.{0,40}:?$",
        6,
    ),
    # Upper-case teaser labels ("LEA TAMBIÉN: ...", "READ MORE: ..."): case-sensitive, so "Mira:" stays.
    Rule(
        "related.caps",
        re.compile(
            r"^(?:MIRA|VEA|LEA|LEE|VER|READ|WATCH|LISTEN|RELATED|RECOMMENDED|MORE|ALSO|SEE|"
            r"(?:TE|LE) PUEDE INTERESAR|(?:TAMBIÉN )?PUEDES (?:LEER|VER)|TE RECOMENDAMOS|RECOMENDAMOS|NO TE PIERDAS|"
            r"(?:LEA|VEA|LEE|VER|MIRA) (?:TAMBIÉN|ADEMÁS|MÁS)|TAMBIÉN (?:LEA|LEE|VEA)|MÁS INFORMACIÓN|"
            r"LESEN SIE AUCH|AUCH INTERESSANT|READ MORE|READ ALSO|ALSO READ|SEE ALSO|MORE ON THIS|"
            r"LIRE AUSSI|À LIRE(?: AUSSI)?|VOIR AUSSI|LEGGI ANCHE|VEDI ANCHE|LEIA (?:TAMBÉM|MAIS)|VEJA (?:TAMBÉM|MAIS))\s*:",
            re.UNICODE,
        ),
        30,
    ),
    _r(
        "related.label",
        r"^(?:temas|themen|tags|schlagwörter|stichworte|mots-clés|etichette|inhaltsverzeichnis|table of contents|contents|sommaire|índice|indice)\s*:?\s*$",
        3,
    ),
    # --- page metadata labels ------------------------------------------------------------------
    _r(
        "meta.label",
        r"^(?:(?:news |release |publication )?date|category|categories|kategorie|kategorien|rubrik|ressort|catégorie|categoría|categoria|filed under|posted in|veröffentlicht in|tagged|tags|schlagworte|lesezeit|reading time|temps de lecture|tiempo de lectura)\s*:\s*.{0,60}$",
        10,
    ),
    _r(
        "meta.contact",
        r"^(?:tel(?:efon)?|phone|fax|mobil|mobile|e-?mail|t|f)\.?\s*:?\s*(?:\+|\(?0)\d[\d\s()/.-]{5,}$",
        10,
        "edge",
    ),
    _r(
        "meta.more_info",
        r"^(?:weitere|mehr) (?:infos?|informationen)\b.{0,60}\b(?:unter|auf|bei)\b.{0,60}$|^(?:more (?:info|information|details)|plus d'informations|más información|maggiori informazioni)\b.{0,40}\b(?:at|on|sur|en|su)\b.{0,60}$|^(?:info|infos|web|website|internet|homepage|link|permalink)\s*:\s*(?:www\.|https?://)\S+$|^.{0,60}\b(?:findest du|finden sie|gibt(?:'s| es)|lesen sie|erfährst du|erfahren sie|find out more|read more|more info(?:rmation)?) (?:hier|here)[.!]?$",
        14,
    ),
    _r(
        "meta.section_label",
        r"^(?:kontakt|contact|pressekontakt|press contact|media contact|ansprechpartner(?:in)?(?: zum thema)?|weitere informationen|zusatzinformationen|quellen(?:angaben)?|quelle|sources?|originalpublikation|original publication|über (?:uns|den autor|die autorin)|about (?:us|the author)|à propos de l'auteur|sobre (?:el|la) autor[a]?)\s*:?\s*$",
        4,
        "late",
    ),
    _r(
        "meta.file",
        r"(?<![a-z])(?:pdf|docx?|xlsx?|pptx?|zip|mp3)\s*(?:\||,|\()\s*\d+(?:[.,]\d+)?\s*(?:kb|mb|gb|kib|mib)\b",
        30,
    ),
    # --- cookie and privacy notices -----------------------------------------------------------
    _r(
        "cookies.notice",
        r"^(?:we use cookies|this (?:web)?site uses cookies|by (?:continuing|using) (?:to use )?(?:this|our) (?:web)?site|accept (?:all )?cookies|cookie (?:policy|settings|preferences)|manage (?:cookies|consent)|diese (?:web)?(?:seite|site) verwendet cookies|wir verwenden cookies|ce site utilise des cookies|nous utilisons des cookies|este sitio (?:web )?utiliza cookies|utilizamos cookies|questo sito utilizza (?:i )?cookie)\b",
        60,
    ),
    _r(
        "privacy.consent",
        r"^(?:mit (?:der|ihrer) (?:registrierung|anmeldung)|mit dem (?:absenden|laden)|by (?:signing up|subscribing|registering|clicking|submitting)|en (?:vous inscrivant|cliquant)|al (?:registrarte|suscribirte|hacer clic)|klicken sie auf (?:den|diesen)\b.{0,30}\bbutton|click (?:the button|here) to (?:load|show)|(?:hier|here) (?:klicken|click),? um)\b.{0,200}\b(?:datenschutz\w*|privacy|confidentialité|privacidad|terms|nutzungsbedingungen|zu laden|to load|inhalt\w*|content)\b",
        60,
    ),
    # A licence statement ("... is licensed under CC BY 4.0", "Inhalte ... stehen unter CC-BY"),
    # not a sentence about licensing.
    _r(
        "copyright.license",
        r"\b(?:licensed under|lizenziert unter|sous licence|bajo (?:una )?licencia|(?:steht|stehen|ist|sind) (?:\w+ )?unter (?:einer |der )?(?:cc|creative commons)|(?:is|are) (?:published |released |available )?under (?:a |the )?(?:cc|creative commons))\b|\b(?:cc[- ]by(?:-[a-z]{2})*(?: \d\.\d)?)\s*\.?$|^(?:cc[- ]by\S*|creative commons)\b.{0,40}$",
        25,
        "edge",
    ),
    _r(
        "privacy.form",
        r"^(?:i would like to receive|i agree to (?:the|receive|my|your|our|the processing)|i consent to|i am over (?:1[68]|the age)|ich (?:bin damit einverstanden|stimme (?:der|den|dem) .{0,60}zu|willige ein)|j'accepte (?:les|de recevoir)|acepto (?:la|las|los|recibir))",
        80,
    ),
    _r(
        "notice.browser",
        r"\b(?:sie verwenden einen (?:veralteten |alten )?browser|ihr browser (?:ist veraltet|unterstützt)|your browser (?:is (?:out of date|outdated|not supported)|does not support)|you are using an (?:outdated|old) browser|please (?:enable|turn on) javascript|javascript (?:is disabled|deaktiviert)|bitte aktivieren sie javascript|activez javascript|habilite javascript)\b",
        40,
    ),
    _r(
        "privacy.notice",
        r"^(?:privacy policy|data protection|datenschutz(?:erklärung|hinweis)?|politique de confidentialité|política de privacidad|informativa (?:sulla )?privacy)\s*(?:[|•·].*)?$",
        12,
    ),
    # A bare social-media URL is an embed that did not render (a tweet, a post, a video).
    _r(
        "junk.embed_url",
        r"^(?:https?://)?(?:www\.)?(?:instagram\.com/(?:p|reel|tv)/|(?:twitter|x)\.com/\w+/status/|pic\.twitter\.com/|youtube\.com/(?:watch|embed|shorts)|youtu\.be/|tiktok\.com/@|facebook\.com/\S+/(?:posts|videos)/)\S*$",
        1,
    ),
    # --- ads and sponsored -------------------------------------------------------------------
    _r(
        "ads.affiliate",
        r"(?:affiliate[- ]links?|partnerlinks?|provisions-links?|this (?:post|article|page) (?:contains|may contain) (?:affiliate|references to products)|we may (?:receive|earn) (?:a )?(?:compensation|commission)|enlaces de afiliados|liens affiliés|link di affiliazione|\*?bonus value is an estimated value)",
        60,
    ),
    _r(
        "ads.disclosure",
        r"^\*?(?:werbung|anzeige|advertisement|sponsored|publicité|publicidad)\s*[.:|–—-]|\b(?:dieser (?:beitrag|artikel|post) enthält (?:werbung|affiliate|anzeigen)|this (?:post|article) (?:is|was) sponsored by|in (?:freundlicher )?(?:kooperation|zusammenarbeit) mit\b.{0,40}$|entstand in (?:freundlicher |bezahlter )?(?:kooperation|zusammenarbeit) mit|\b(?:erhalten|erhält|bekommen|bekommt) (?:wir|\S+) (?:ggf\. |gegebenenfalls )?eine provision\b|\beine provision (?:erhalten|erhält|bekommen|bekommt)\b|\bearn a commission\b)",
        30,
    ),
    _r(
        "disclaimer.no_guarantee",
        r"^\(?(?:alle angaben ohne gewähr|angaben ohne gewähr|all (?:information|details) without (?:guarantee|warranty)|sous réserve d'erreurs|sin garantía)\)?\.?$",
        8,
    ),
    _r(
        "ads.advertise",
        r"^(?:advertise (?:with|on|in) (?:us|the)|werben sie (?:bei|mit|auf) uns|annoncez (?:avec|chez) nous|anúnciese (?:con|en)|publicite con nosotros|pubblicizza)\b",
        60,
        "edge",
    ),
    _r(
        "ads.continues",
        r"^(?:(?:the )?(?:story|article|content|text) continues (?:below|after)(?: (?:this|the))?(?: (?:ad|advert|advertisement))?|continue reading (?:below|the main story)|scroll (?:down )?to continue(?: reading)?|weiterlesen nach der anzeige|(?:der )?artikel (?:geht|wird) (?:unten|nach der (?:anzeige|werbung)) weiter|l'article continue (?:ci-dessous|après (?:la )?publicité)|la (?:noticia|nota) (?:continúa|sigue) (?:abajo|debajo|tras la publicidad)|l'articolo continua (?:sotto|dopo la pubblicità))\W*$",
        10,
    ),
    _r(
        "ads.label",
        r"^(?:ad|ads|advertisement|advertising|sponsored(?: content| post)?|paid content|partner content|anzeige|werbung|publicité|publicidad|pubblicità|scroll to continue(?: with content)?)\s*$",
        4,
    ),
)


def is_on(name: str, enabled: tuple[str, ...] = (), disabled: tuple[str, ...] = ()) -> bool:
    """Whether rule `name` starts with an enabled prefix (any, if none given) and no disabled one."""
    if enabled and not any(name.startswith(p) for p in enabled):
        return False
    return not any(name.startswith(p) for p in disabled)


@lru_cache(maxsize=64)
def select(enabled: tuple[str, ...] = (), disabled: tuple[str, ...] = ()) -> tuple[Rule, ...]:
    """Rules whose names start with an enabled prefix (all if none) and no disabled prefix."""
    return tuple(r for r in RULES if is_on(r.name, enabled, disabled))
