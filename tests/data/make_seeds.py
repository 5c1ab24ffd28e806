"""Regenerate the HTML, JSONL and WARC samples in seeds/ (run: python tests/data/make_seeds.py)."""

import io
import json
from pathlib import Path

out = Path(__file__).resolve().parents[2] / "seeds"
out.mkdir(exist_ok=True)

WIRE_TITLE = "Rotterdam Port Reopens After Three-Day Strike Ends in Wage Deal"
WIRE = [
    "ROTTERDAM (Wire) — Europe's largest port resumed normal operations on Thursday after dock workers ended a three-day strike that had left more than 40 container ships waiting at anchor in the North Sea.",
    "The agreement, reached shortly after midnight between the FNV Havens union and the employers' association, gives about 6,000 dock workers a pay rise of 7.5 percent over two years and limits mandatory weekend shifts to two per month.",
    '"This is a fair outcome for people who keep this port running day and night," union negotiator Marieke van Dijk told reporters outside the terminal gates. "Nobody wanted this to drag on."',
    "Port authority spokesman Sander Bakker said cranes at the Maasvlakte terminals were running again by 6 a.m. and that the backlog of vessels should be cleared within a week, weather permitting.",
    "The stoppage was the first full strike at the port since 2016. Shipping analysts estimated that it delayed the handling of roughly 120,000 containers, disrupting supply chains for retailers and car makers across Germany, Belgium and the Netherlands.",
    "Freight forwarders said the impact on consumers would be limited because most goods affected were components and raw materials rather than finished products already bound for shops.",
    "The deal still has to be approved by union members in a ballot next week, but both sides said they expected it to pass.",
    "Rotterdam handled about 14 million containers last year, according to port figures, well ahead of Antwerp-Bruges and Hamburg.",
]

SITES = {
    "harbourtimes.example": dict(
        name="The Harbour Times",
        nav="Home | World | Business | Shipping | Opinion",
        sub="Subscribe to The Harbour Times newsletter for daily shipping news",
        share="Share on Facebook | Twitter | WhatsApp | Email",
        foot="© 2024 Harbour Times Media. All rights reserved.",
        tag="The Harbour Times: independent reporting from the waterfront since 1898.",
        follow="Follow us on Twitter and LinkedIn",
    ),
    "dailyledger.example": dict(
        name="Daily Ledger",
        nav="News | Markets | Economy | Tech",
        sub="Sign up for our free Morning Ledger newsletter",
        share="Share this article: Facebook Twitter LinkedIn",
        foot="Copyright 2024 Daily Ledger Inc.",
        tag="Daily Ledger journalism is funded by readers like you.",
        follow="Join us on Telegram for breaking news",
    ),
    "northsea-post.example": dict(
        name="North Sea Post",
        nav="Start | Region | Economy | Sport",
        sub="Click here to subscribe to The North Sea Post Eblast",
        share="Facebook Twitter Email Print",
        foot="© 2024 North Sea Post. All rights reserved.",
        tag="Got a tip for the newsroom? Message the North Sea Post desk any time.",
        follow="Follow us on Facebook",
    ),
    "europe-wire.example": dict(
        name="Europe Wire Review",
        nav="Europe | Politics | Business | Culture",
        sub="Register for Europe Wire alerts in your inbox",
        share="Share: Facebook | X | Reddit",
        foot="Copyright © 2024 Europe Wire Review",
        tag="Europe Wire Review covers the continent in five languages.",
        follow="Like us on Facebook",
    ),
}

OTHER = {
    "harbourtimes.example": [
        (
            "City Council Approves New Ferry Line to the Islands",
            [
                "The city council on Tuesday approved a new ferry line linking the harbour district with the three outer islands, ending a two-year debate over cost and noise.",
                "The service, to be run by a regional operator, will start next spring with two electric vessels and hourly departures during the day.",
                "Council member Joost Hendriks said the line would cut travel times for about 3,000 daily commuters by up to forty minutes.",
                "Residents near the planned terminal had objected to late-night sailings, and the final plan limits the last departure to 11 p.m.",
                "The project is expected to cost 48 million euros, with a third paid by the provincial government.",
            ],
        ),
        (
            "Fish Auction Prices Climb as Cod Quotas Shrink",
            [
                "Prices at the morning fish auction rose for the fourth week running as reduced cod quotas in the North Sea kept supply tight.",
                "Auctioneers said a kilo of fresh cod fetched nearly 12 euros on Monday, about a quarter more than a year ago.",
                "Fishermen blamed the new quota rules, which cut the permitted catch by 18 percent to protect spawning stocks.",
                "Restaurants in the old town have begun replacing cod with pollock and hake on their menus, several chefs said.",
                "Scientists from the marine institute said the stock showed early signs of recovery but warned against raising quotas too soon.",
            ],
        ),
    ],
    "dailyledger.example": [
        (
            "Chipmaker Opens Research Centre in Eindhoven",
            [
                "A semiconductor equipment maker opened a new research centre in Eindhoven on Wednesday, saying it would employ 800 engineers within three years.",
                "The company said the centre would focus on lithography software and on reducing the energy use of its machines.",
                "Local officials welcomed the investment but said the region urgently needed more housing for the workers it was attracting.",
                "Rents in the Eindhoven area have risen by more than a fifth since 2021, according to a housing survey published last month.",
                "The company declined to say how much it had invested in the building, which was designed to use geothermal heating.",
            ],
        ),
        (
            "Household Savings Rate Falls to Five-Year Low",
            [
                "Households saved a smaller share of their income in the second quarter than at any time in five years, official statistics showed on Friday.",
                "The savings rate fell to 11.2 percent from 12.9 percent a year earlier as spending on travel and restaurants rebounded.",
                "Economists said the drop was partly expected after the high savings of the pandemic years and did not signal financial stress.",
                "Consumer credit growth remained modest, and mortgage arrears stayed close to record lows, the statistics office said.",
                "The central bank is expected to comment on household finances in its financial stability report next month.",
            ],
        ),
    ],
    "northsea-post.example": [
        (
            "Wind Farm Cable Work Closes Beach for Summer",
            [
                "A stretch of beach north of the harbour will be closed to the public from June to September while contractors lay export cables for an offshore wind farm.",
                "The grid operator said the work could not be moved to winter because storms make cable laying unsafe between October and March.",
                "Beach café owners said they feared losing half of their summer income and called for compensation.",
                "The municipality said it was discussing a temporary boardwalk that would keep part of the dunes accessible to walkers.",
                "Once completed, the wind farm will supply electricity for around one million homes.",
            ],
        ),
        (
            "Local Football Club Unveils Plans for New Stadium",
            [
                "The town's football club presented plans on Saturday for a 9,000-seat stadium on the site of a former shipyard.",
                "Club chairman Pieter de Groot said the current ground, built in 1954, no longer met league safety standards.",
                "The design includes a covered fan zone, solar panels on the roof and a public sports hall that schools can use during the week.",
                "Neighbours have raised concerns about parking, and the club said it would fund a shuttle bus from the railway station on match days.",
                "A final decision by the municipal council is expected before the end of the year.",
            ],
        ),
    ],
}


def page(domain, title, paras, extra_top="", extra_bottom="", byline="", date="2024-03-14"):
    s = SITES[domain]
    body = []
    if byline:
        body.append(f"<p class='byline'>{byline}</p>")
    body.append(extra_top)
    for i, p in enumerate(paras):
        body.append(f"<p>{p}</p>")
        if i == 2:
            body.append(f"<p>{s['sub']}</p>")
    body.append(f"<p>{s['tag']}</p>")
    body.append(f"<p>{s['share']}</p>")
    body.append(f"<p>{s['follow']}</p>")
    body.append(extra_bottom)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | {s["name"]}</title>
<meta property="og:title" content="{title}"><meta property="og:site_name" content="{s["name"]}">
<meta name="date" content="{date}"><link rel="canonical" href="https://{domain}/news/{title.lower().replace(" ", "-")[:40]}">
</head><body>
<header><div class="logo">{s["name"]}</div><nav><ul>{"".join(f'<li><a href="/{x.strip().lower()}">{x.strip()}</a></li>' for x in s["nav"].split("|"))}</ul></nav></header>
<main><article><h1>{title}</h1>
{chr(10).join(body)}
</article>
<aside><h3>Most read</h3><ul><li><a href="/a">Tides and times for the week</a></li><li><a href="/b">Ten cafés by the water</a></li></ul></aside>
</main>
<footer><p>{s["foot"]}</p><p><a href="/privacy">Privacy policy</a> | <a href="/imprint">Imprint</a></p></footer>
</body></html>
"""


wire_dir = out / "syndicated"
wire_dir.mkdir(exist_ok=True)
other_dir = out / "other"
other_dir.mkdir(exist_ok=True)
# 1: full wire copy
(wire_dir / "harbourtimes_rotterdam-strike.html").write_text(
    page(
        "harbourtimes.example",
        WIRE_TITLE,
        WIRE,
        byline="By Wire Staff • 14 March, 2024",
        extra_bottom="<p>Please enter your comment!</p><p>Please enter your name here</p>",
    )
)
# 2: new headline, photo credit, last paragraph dropped
(wire_dir / "dailyledger_port-strike-over.html").write_text(
    page(
        "dailyledger.example",
        "Dock Strike Over: Rotterdam Cranes Move Again After Pay Deal",
        WIRE[:-1],
        extra_top="<p>Photo by Anna Vos/ANP on 14 March, 2024</p>",
        byline="By Daily Ledger Staff",
        date="2024-03-14",
    )
)
# 3: small edits and an editor's note, different boilerplate
edited = [p.replace("Thursday", "Thursday morning").replace("roughly", "about") for p in WIRE]
(wire_dir / "northsea-post_haven-staking-voorbij.html").write_text(
    page(
        "northsea-post.example",
        "Rotterdam Port Back in Business as Strike Ends",
        edited,
        extra_bottom="<p>Related articles:</p><p>Dock workers vote on strike action</p><p>Antwerp braces for knock-on delays</p>",
        date="2024-03-15",
    )
)
# 4: trimmed to the first five paragraphs (a short version)
(wire_dir / "europe-wire_rotterdam.html").write_text(
    page(
        "europe-wire.example",
        WIRE_TITLE,
        WIRE[:5],
        extra_bottom="<p>Read more: Europe's busiest ports in numbers</p><p>We use cookies to improve your experience. By continuing to use this site you agree to our cookie policy.</p>",
        date="2024-03-14",
    )
)

for domain, arts in OTHER.items():
    for title, paras in arts:
        slug = title.lower().replace(" ", "-")[:40]
        (other_dir / f"{domain.split('.')[0]}_{slug}.html").write_text(page(domain, title, paras, date="2024-03-12"))

# JSON Lines feed: text items, one html item, one broken line, one without content
feed = [
    {
        "id": "feed-001",
        "url": "https://europe-wire.example/culture/museum-night",
        "published_at": "2024-03-16T18:00:00Z",
        "title": "Museum Night Draws Record Crowds",
        "text": "More than 60,000 visitors took part in Museum Night on Saturday, organisers said, a record for the annual event.\nFifty-two museums stayed open until 2 a.m., offering concerts, guided tours and workshops for children.\nThe maritime museum had the longest queues, with visitors waiting up to an hour to see a restored 17th-century sailing ship.\nShare on Facebook | Twitter | WhatsApp | Email\nOrganisers said ticket revenue would help fund free school visits throughout the year.",
    },
    {
        "id": "feed-002",
        "url": "https://dailyledger.example/markets/rotterdam-deal",
        "published_at": "2024-03-14T09:30:00Z",
        "html": page(
            "dailyledger.example", "Rotterdam Dockers Win 7.5% Raise, Ending Strike", WIRE[:6], byline="By Markets Desk"
        ),
    },
    "this line is not a JSON object",
    {"id": "feed-004", "url": "https://example.org/empty"},
]
with open(out / "feed.jsonl", "w") as fh:
    for item in feed:
        fh.write((json.dumps(item) if isinstance(item, dict) else item) + "\n")

# A small WARC with two pages: one wire copy, one unrelated
from warcio.statusandheaders import StatusAndHeaders  # noqa: E402
from warcio.warcwriter import WARCWriter  # noqa: E402

with open(out / "crawl.warc.gz", "wb") as fh:
    w = WARCWriter(fh, gzip=True)
    for url, html in [
        (
            "https://northsea-post.example/news/rotterdam-strike-ends",
            page("northsea-post.example", "Port Strike Ends With Pay Deal", WIRE[:7], date="2024-03-14"),
        ),
        (
            "https://harbourtimes.example/news/lighthouse",
            page(
                "harbourtimes.example",
                "Historic Lighthouse to Reopen for Visitors",
                [
                    "The 19th-century lighthouse at the harbour mouth will reopen to visitors in May after a two-year restoration, the heritage foundation said.",
                    "Volunteers replaced more than 300 rusted rivets and restored the original lens, which was made in Paris in 1879.",
                    "Visitors will be able to climb the 142 steps to the gallery on weekends, with tours limited to twelve people at a time.",
                    "The foundation raised most of the 1.2 million euros needed through small donations from local residents.",
                    "A small exhibition at the base will tell the story of the keepers who lived there until 1972.",
                ],
                date="2024-03-10",
            ),
        ),
    ]:
        payload = html.encode("utf-8")
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(payload), http_headers=http))
print("ok")
