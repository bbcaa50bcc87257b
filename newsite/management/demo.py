"""Demo content for `make run`: original sample articles with a few reader comments.

A comment with "reply_to" answers the comment at that index of its article's list.
Comments are published unless marked "pending": those three are held for an editor, so the
moderation queue in /admin/ has something to decide (one is link spam for a shady shop).
Their authors have no other comment, or the moderation policy would publish them at once.
"""

ARTICLES = [
    {
        "headline": "Foreign minister begins regional tour aimed at easing border dispute tensions",
        "slug": "foreign-minister-begins-regional-tour-aimed-at-easing-border-dispute-tensions",
        "standfirst": (
            "The three-day visit to the capitals of Veldra and Ostmark is the most senior "
            "diplomatic effort yet to reopen talks over the contested Sarn valley."
        ),
        "photo_caption": (
            "The foreign minister, left, is greeted by officials on the tarmac at Veldra "
            "International Airport on Monday morning."
        ),
        "byline": "Diplomatic correspondent",
        "days_ago": 1,
        "body": (
            "The foreign minister arrived in Veldra on Monday at the start of a three-day regional "
            "tour intended to coax two neighbouring governments back to the negotiating table "
            "after months of rising tension along their shared border.\n\n"
            "The dispute centres on the Sarn valley, a narrow strip of farmland and hydroelectric "
            "infrastructure claimed by both Veldra and Ostmark. Talks brokered last year collapsed "
            "in the spring after a series of incidents at checkpoints, and both sides have since "
            "reinforced their positions along the river.\n\n"
            "Speaking to reporters before departure, the minister said the aim of the visit was "
            '"to listen before proposing anything" and played down expectations of an immediate '
            'breakthrough. "Nobody should expect a signed agreement by Wednesday," the minister '
            'said. "What we are looking for is a shared understanding of the next step."\n\n'
            "Officials travelling with the delegation said the minister would carry a set of "
            "confidence-building proposals, including a joint water-management commission and a "
            "hotline between regional military commanders. Similar measures were discussed during "
            "earlier rounds but never put into effect.\n\n"
            "In Veldra, the minister is due to meet the president and the parliamentary foreign "
            "affairs committee before travelling overland to Ostmark on Tuesday, a route chosen, "
            "aides said, to underline the importance of reopening road links that have been "
            "largely closed since April.\n\n"
            "Analysts cautioned that domestic politics on both sides may limit room for "
            "compromise. Ostmark faces a general election early next year, and opposition "
            "parties there have accused the government of being too conciliatory. A senior "
            "Veldran official, speaking on condition of anonymity, described the visit as "
            '"welcome, but overdue".\n\n'
            "The tour concludes on Wednesday with a joint briefing for diplomats from the region. "
            "The foreign ministry said a statement on the outcome would be issued afterwards."
        ),
        "comments": [
            {
                "name": "Helena Marsh",
                "email": "helena.marsh@example.com",
                "url": "",
                "body": (
                    "Good to see someone finally travelling overland between the two capitals. "
                    "Symbolism matters in disputes like this, even if the real work happens "
                    "behind closed doors."
                ),
            },
            {
                "name": "Tomas Vrell",
                "email": "tvrell@example.org",
                "url": "https://example.org/tvrell",
                "body": (
                    "I'm less optimistic. The water commission was proposed three years ago and "
                    "went nowhere because neither side would agree on who chairs it. "
                    "<em>What has changed since then?</em>"
                ),
            },
            {
                "name": "Helena Marsh",
                "email": "helena.marsh@example.com",
                "url": "",
                "reply_to": 1,
                "body": (
                    "The chair, mostly. This time the proposal reportedly rotates it yearly, "
                    "which removes the sticking point, on paper at least."
                ),
            },
            {
                "name": "Tomas Vrell",
                "email": "tvrell@example.org",
                "url": "https://example.org/tvrell",
                "reply_to": 2,
                "body": "Fair. If the rotation survives the drafting, I'll happily be wrong.",
            },
            {
                "name": "R. Oduya",
                "email": "r.oduya@example.net",
                "url": "",
                "body": (
                    "Worth remembering that the Ostmark election cuts both ways: a government "
                    "that secures a credible deal beforehand could campaign on it.\n\n"
                    "The question is whether the opposition would honour anything signed now."
                ),
            },
            {
                "name": "Karel Novak",
                "email": "karel.novak@example.org",
                "url": "",
                "pending": True,
                "body": (
                    "Overland to Ostmark is a nice gesture, but the road has been closed since "
                    "April. Will the press corps be allowed to travel with the delegation?"
                ),
            },
        ],
    },
    {
        "headline": "Ceasefire monitors report fragile calm in first week of observation mission",
        "slug": "ceasefire-monitors-report-fragile-calm-in-first-week-of-observation-mission",
        "standfirst": (
            "An unarmed international team says violations along the eastern line have fallen "
            "sharply, but warns that access to several villages remains restricted."
        ),
        "photo_caption": (
            "Members of the monitoring mission inspect a damaged bridge near the eastern "
            "contact line. The team patrols in marked white vehicles."
        ),
        "byline": "Amara Lindqvist",
        "days_ago": 3,
        "body": (
            "International ceasefire monitors said on Friday that the number of reported "
            "violations along the eastern contact line had fallen sharply during the first week "
            'of their mission, describing the situation as "calm but fragile".\n\n'
            "The unarmed team of around 60 observers, drawn from eleven countries, began patrols "
            "last week under an agreement reached after weeks of mediation. In its first public "
            "update, the mission recorded 14 alleged breaches, most of them small-arms fire at "
            "night, compared with several hundred a week before the truce took hold.\n\n"
            '"The reduction is real and it is significant," the head of the mission told a news '
            'conference. "But a ceasefire is only as strong as the weakest point on the line, '
            'and we are not yet able to see every part of it."\n\n'
            "The report said monitors had been denied access on four occasions to villages in the "
            "northern sector, where both sides accuse each other of moving heavy equipment. The "
            "mission said it had raised the matter with liaison officers and expected the "
            "restrictions to be lifted within days.\n\n"
            "Humanitarian groups welcomed the update but urged faster progress on reopening "
            "crossing points. Aid agencies estimate that tens of thousands of residents in "
            "frontline areas still lack reliable access to water and medical care.\n\n"
            "Residents of one town near the southern end of the line said the nights had become "
            "noticeably quieter, and a handful of shops had reopened for the first time in "
            "months. Local officials cautioned, however, that many families displaced by the "
            "fighting were waiting for firmer guarantees before returning home.\n\n"
            "The agreement that created the mission runs for an initial period of six months and "
            "can be extended by consensus. Its next public report is due in two weeks."
        ),
        "comments": [
            {
                "name": "Daniel Achterberg",
                "email": "d.achterberg@example.com",
                "url": "",
                "body": (
                    "Sixty observers for a line that long seems very thin. I hope the mandate "
                    "allows them to expand quickly if access improves."
                ),
            },
            {
                "name": "Leila Haddad",
                "email": "leila@example.net",
                "url": "https://example.net/leila",
                "body": (
                    "The head of mission put it well: <blockquote>a ceasefire is only as strong "
                    "as the weakest point on the line</blockquote> The denied-access incidents "
                    "are the thing to watch."
                ),
            },
            {
                "name": "Pieter Janssen",
                "email": "pjanssen@example.org",
                "url": "",
                "body": (
                    "For context, the aid agencies published their own assessment last month: "
                    '<a href="https://example.org/report">a link to the full report</a>. '
                    "It is sobering reading on water supplies."
                ),
            },
            {
                "name": "Mira",
                "email": "mira.k@example.com",
                "url": "",
                "body": (
                    "A quieter week is something, at least. People on both sides of the line "
                    "deserve a chance to sleep through the night."
                ),
            },
            {
                "name": "Best Watches Outlet",
                "email": "sales@cheap-replica-watches.example",
                "url": "https://cheap-replica-watches.example/",
                "pending": True,
                "body": (
                    "Great article!!! Looking for LUXURY watches at 90% off? "
                    '<a href="https://cheap-replica-watches.example/rolex">Rolex</a> '
                    '<a href="https://cheap-replica-watches.example/omega">Omega</a> '
                    '<a href="https://cheap-replica-watches.example/cartier">Cartier</a> '
                    "FREE shipping worldwide, order today: "
                    '<a href="https://cheap-replica-watches.example/">best prices online</a>'
                ),
            },
        ],
    },
    {
        "headline": "Energy ministers agree framework for cross-border grid at coastal summit",
        "slug": "energy-ministers-agree-framework-for-cross-border-grid-at-coastal-summit",
        "standfirst": (
            "Delegates from seven countries endorsed a non-binding plan to link electricity "
            "networks, though financing and pricing rules were left for later talks."
        ),
        "photo_caption": "",
        "byline": "Economics and trade desk",
        "days_ago": 6,
        "body": (
            "Energy ministers from seven countries on Thursday endorsed a framework for linking "
            "their electricity grids, a step organisers called historic but which critics said "
            "left the hardest questions unanswered.\n\n"
            "The two-day summit in the port city of Caravel ended with a joint declaration "
            "committing participants to develop interconnectors, harmonise technical standards "
            "and share surplus renewable power during periods of peak demand. The document is "
            "not legally binding.\n\n"
            "The host country's energy minister said the plan could cut costs for households and "
            'reduce reliance on imported fuel. "When the wind blows in the north and the sun '
            'shines in the south, there is no reason for that power to go to waste," the '
            "minister told delegates in closing remarks.\n\n"
            "Negotiators said agreement had been reached on a technical working group that will "
            "meet quarterly, but decisions on how the first interconnectors would be financed, "
            "and how cross-border electricity would be priced, were deferred to a follow-up "
            "meeting scheduled for next spring.\n\n"
            "Two delegations attached reservations to the final text, citing concerns about "
            "grid security and the cost of upgrading older transmission lines. Industry groups "
            "welcomed the declaration but said investors would need clearer regulatory "
            "commitments before large projects could proceed. One banker attending the summit "
            "estimated that the first phase alone would require several billion in "
            "long-term lending.\n\n"
            "Environmental organisations were cautiously supportive, noting that the framework "
            "could help absorb rising renewable output, but urged governments to set firm "
            'timelines. "Declarations are easy; cables are hard," one campaigner said outside '
            "the conference centre."
        ),
        "comments": [
            {
                "name": "Grace Bellamy",
                "email": "grace.bellamy@example.org",
                "url": "https://example.org/grace",
                "body": (
                    '"Declarations are easy; cables are hard" should be printed on the wall of '
                    "every energy ministry. Still, a standing working group is more than most "
                    "summits manage."
                ),
            },
            {
                "name": "Hugo Ferreira",
                "email": "hugo.f@example.com",
                "url": "",
                "body": (
                    "I work in transmission planning, and the pricing question is "
                    "<strong>the</strong> question. Without it, nobody will finance the first "
                    "interconnector."
                ),
            },
        ],
    },
    {
        "headline": "UN assembly backs resolution on humanitarian access to disputed coast",
        "slug": "un-assembly-backs-resolution-on-humanitarian-access-to-disputed-coast",
        "standfirst": (
            "The non-binding text passed with a wide majority, calling for safe corridors and "
            "independent oversight of aid deliveries by sea."
        ),
        "photo_caption": (
            "Delegates look at the voting board in the General Assembly hall after the "
            "resolution was adopted on Tuesday afternoon."
        ),
        "byline": "Jonah Whitcombe, United Nations correspondent",
        "days_ago": 9,
        "body": (
            "The United Nations General Assembly on Tuesday adopted a resolution calling for "
            "unimpeded humanitarian access to a disputed coastal region, where aid agencies say "
            "supplies have been repeatedly delayed at sea.\n\n"
            "The text passed by 128 votes to 9, with 31 abstentions. It urges all parties to "
            "establish safe maritime corridors, allow independent inspection of cargo at agreed "
            "ports and guarantee the safety of humanitarian workers. General Assembly resolutions "
            "are not legally binding, but carry political weight.\n\n"
            "The envoy of the country that drafted the resolution told the chamber that the vote "
            'sent "a clear message that the delivery of food and medicine must never become a '
            'bargaining chip". Several co-sponsors said the text had been revised repeatedly '
            "to win broader support.\n\n"
            "Delegations that voted against argued the resolution ignored security concerns and "
            "risked complicating separate negotiations on the region's status. Some abstaining "
            "states said they supported its humanitarian aims but objected to language on "
            "inspection arrangements.\n\n"
            "Aid organisations welcomed the result and called for practical follow-up. A "
            "coordinator for one relief group said ships carrying flour and medical supplies had "
            "waited offshore for up to three weeks in recent months. Others noted that similar "
            "appeals in the past had produced little change on the water, and said the test "
            "would be whether vessels were cleared more quickly in the coming weeks.\n\n"
            "Diplomats said the vote was also closely watched as an indicator of shifting "
            "alignments, with several states that abstained on a comparable text last year "
            "voting in favour this time.\n\n"
            "The resolution asks the secretary-general to report back within 90 days on its "
            "implementation, including any obstacles to the proposed maritime corridors."
        ),
        "comments": [
            {
                "name": "Sofia Reyes",
                "email": "sofia.reyes@example.net",
                "url": "",
                "body": (
                    "Non-binding or not, 128 votes is a strong signal. The 90-day report will "
                    "show whether anyone intends to act on it."
                ),
            },
            {
                "name": "Ben Okafor",
                "email": "ben.okafor@example.com",
                "url": "https://example.com/ben",
                "body": (
                    "I'd push back a little on the framing. The abstentions were not all about "
                    "inspection language; several states simply think the Security Council is "
                    "the right forum for this."
                ),
            },
            {
                "name": "Ingrid Holm",
                "email": "ingrid.holm@example.org",
                "url": "",
                "body": (
                    "Three weeks waiting offshore with flour and medicine. That one line says "
                    "more than the whole debate."
                ),
            },
            {
                "name": "Priya Natarajan",
                "email": "priya.n@example.net",
                "url": "https://example.net/priya",
                "pending": True,
                "body": (
                    "Does anyone know which ports the inspection arrangements would cover? "
                    "The article says the text was revised repeatedly, and I suspect that "
                    "is where the abstentions came from."
                ),
            },
        ],
    },
]
