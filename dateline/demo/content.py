"""Demo content for Dateline: live coverage of a fictional flood over two days (a story of two blogs).

Everything here is invented. Wrenford-on-Vale, the River Vale, Tallow Moor Dam,
the Marchland region, its agencies and every person named are fictional, and
any resemblance to real places, events or people is coincidental. Links point
only at example.org / example.com.

Times in the text are local (Europe/London); each post's "minute" counts from
06:00 on BLOG["date"] (the main day) or from 16:00 on PREVIOUS_DAY["date"]
(the short evening blog of the day before).
"""

from __future__ import annotations

from typing import Any

STORY_SLUG = "vale-floods"

BLOG: dict[str, Any] = {
    "slug": "vale-floods-2026-11-24",
    "title": "Wrenford floods",
    "description": (
        "Live updates as the River Vale floods parts of Wrenford-on-Vale after "
        "Storm Corran, with thousands of people evacuated and water pouring over "
        "the emergency spillway at Tallow Moor Dam."
    ),
    "time_zone": "Europe/London",
    "date": "2026-11-24",
    "lead_video": {
        "title": "Drone footage shows the River Vale breaking its banks in Wrenford",
        "duration_seconds": 292,
        "credit": "Sam Okonjo/The Dateline Courier",
        "url": "https://example.com/video/wrenford-floods-drone",
    },
}

KEY_POINTS: list[dict[str, Any]] = [
    {
        "text": (
            "<strong>Record flood:</strong> The River Vale peaked at 6.14m at "
            "Town Bridge at 2.15pm, 52cm above the record set in 1987, after "
            "Storm Corran brought 118mm of rain to the upper Vale in 36 hours."
        ),
        "post_ref": 24,
    },
    {
        "text": (
            "<strong>One death confirmed:</strong> A man in his 70s died after "
            "his car was swept off the Ford Road crossing. Police say no one else "
            "is reported missing and that earlier claims of two or three deaths "
            "were wrong."
        ),
        "post_ref": 22,
    },
    {
        "text": (
            "<strong>Evacuations:</strong> About 4,100 people from 1,650 homes "
            "have been asked to leave, and about 610 are spending the night in "
            "rest centres. Fire crews rescued or helped 212 people."
        ),
        "post_ref": 29,
    },
    {
        "text": (
            "<strong>Tallow Moor Dam:</strong> Engineers say erosion at the foot "
            "of the spillway is minor and the dam is sound, but the 180 residents "
            "of Tallow village will not return home tonight."
        ),
        "post_ref": 27,
    },
    {
        "text": (
            "<strong>How to help:</strong> The Vale Community Foundation’s "
            "<a href=\"https://example.org/vale-community-foundation/flood-appeal\">"
            "emergency flood appeal</a> has raised more than £86,000. "
            "<a href=\"https://example.org/wrenford-floods/how-to-help\">Here is "
            "what else is needed</a>."
        ),
        "post_ref": 20,
    },
]

AUTHORS: list[dict[str, str]] = [
    {"username": "helen.marsh", "name": "Helen Marsh", "role": "editor"},
    {"username": "daniel.osei", "name": "Daniel Osei", "role": "editor"},
    {"username": "amara.okafor", "name": "Amara Okafor", "role": "reporter"},
    {"username": "tomasz.wierzbicki", "name": "Tomasz Wierzbicki", "role": "reporter"},
    {"username": "rhiannon.pryce", "name": "Rhiannon Pryce", "role": "reporter"},
]

POSTS: list[dict[str, Any]] = [
    # 0 - 06:00
    {
        "minute": 0,
        "author": "helen.marsh",
        "headline": "Severe flood warnings as River Vale rises through Wrenford",
        "body": (
            "<p>Good morning and welcome to our live coverage from Wrenford-on-Vale, "
            "where the River Vale is rising quickly after a night of heavy rain "
            "brought by Storm Corran.</p>"
            "<p>The National Flood Agency has issued <strong>severe flood "
            "warnings</strong>, meaning a danger to life, for the Millreach and "
            "Wharfside areas of the city. The Vale Water Authority says water began "
            "flowing over the emergency spillway at Tallow Moor Dam, 11km upstream, "
            "at 3.40am.</p>"
            "<p>At 6am the gauge at Town Bridge read 5.41m, 21cm below the record "
            "of 5.62m set in February 1987.</p>"
            "<p><strong>Some background:</strong> About 118mm of rain fell at "
            "Tallow Moor in the 36 hours to 6am, roughly one and a half times the "
            "November average. Ground across the upper Vale was already saturated "
            "after a wet autumn.</p>"
            "<p>Our reporters are in Wrenford and at Tallow Moor and we will bring "
            "you updates throughout the day. "
            "<a href=\"https://example.org/wrenford-floods/warnings-map\">See the "
            "current flood warnings on our map</a>.</p>"
        ),
        "image": None,
        "update_note": "",
        "verification_note": "",
        "tags": ["overview", "flood-warnings"],
        "pinned": False,
        "edited_minute": None,
    },
    # 1 - 06:12
    {
        "minute": 12,
        "author": "amara.okafor",
        "headline": "Door-knocking in Millreach as residents told to leave",
        "body": (
            "<p>Police officers and firefighters have been going door to door in "
            "Millreach since about 5am, telling people in the streets closest to "
            "the river to leave their homes.</p>"
            "<p>On Weir Street, where water was already lapping at front steps, "
            "families were loading cars in the dark. “They said we had an hour,” "
            "Graham Loxley, 58, told me as he carried a box of paperwork to his "
            "van. “I’ve lived here 30 years and I’ve never seen it this high.”</p>"
            "<p>Marchland Police said the evacuation covers about 480 homes, or "
            "roughly 1,200 people. A rest centre has opened at Northgate Community "
            "Hall on Northgate Road.</p>"
        ),
        "image": {
            "caption": (
                "Residents load belongings into a car on Weir Street in the "
                "Millreach area of Wrenford-on-Vale early on Tuesday, as police "
                "went door to door advising people to leave."
            ),
            "credit": "Lucy Farrant/The Dateline Courier",
            "alt": (
                "Two people carrying cardboard boxes to a car on a dark, wet "
                "residential street lit by streetlights"
            ),
            "color": "#3b4a5c",
            "label": "Weir Street, Millreach, 6am",
        },
        "update_note": "",
        "verification_note": "",
        "tags": ["evacuations", "millreach"],
        "pinned": False,
        "edited_minute": None,
    },
    # 2 - 06:25 (pinned safety notice)
    {
        "minute": 25,
        "author": "helen.marsh",
        "headline": "Safety advice: if you are in a flood warning area",
        "body": (
            "<p>Emergency services are urging everyone in the lower Vale to follow "
            "this advice. <strong>If you are in immediate danger, call 999.</strong></p>"
            "<ul>"
            "<li><strong>If you are told to leave:</strong> Go as soon as you can. "
            "Take medication, phone chargers, important documents and any pets.</li>"
            "<li><strong>Stay out of flood water:</strong> Do not walk or drive "
            "through it. 30cm of moving water can float a car, and 15cm can knock "
            "an adult off their feet.</li>"
            "<li><strong>Switch off:</strong> If it is safe to do so, turn off gas, "
            "electricity and water before you leave.</li>"
            "<li><strong>Rest centres:</strong> Northgate Community Hall, Northgate "
            "Road; Wrenford Academy sports hall, Linden Avenue; and St Brannoc’s "
            "Church hall, Abbey Lane, are open to anyone who needs shelter. Tallow "
            "residents are being looked after at Kelderby Leisure Centre.</li>"
            "<li><strong>Need help to leave?</strong> Call the council helpline on "
            "01632 960 418.</li>"
            "<li><strong>Stay informed:</strong> Check the "
            "<a href=\"https://example.org/national-flood-agency/warnings\">National "
            "Flood Agency’s warnings</a> and the council’s "
            "<a href=\"https://example.org/wrenford-council/flood-updates\">flood "
            "updates page</a>.</li>"
            "</ul>"
        ),
        "image": None,
        "update_note": (
            "This post has been updated to add the rest centres at Wrenford Academy "
            "and St Brannoc’s Church hall, and the centre for Tallow residents."
        ),
        "verification_note": "",
        "tags": ["safety", "evacuations"],
        "pinned": True,
        "edited_minute": 550,
    },
    # 3 - 06:38
    {
        "minute": 38,
        "author": "rhiannon.pryce",
        "headline": "Why water is pouring over the Tallow Moor spillway",
        "body": (
            "<p>I’m at Tallow Moor Dam, where a wide sheet of brown water is running "
            "down the concrete spillway on the eastern side of the embankment and "
            "into the valley below.</p>"
            "<p>The Vale Water Authority, which operates the dam, said the reservoir "
            "reached its top water level shortly after 3.30am and the spillway began "
            "carrying overflow at 3.40am. In a statement, it said the spillway was "
            "“operating as designed” and that the dam was being monitored around "
            "the clock.</p>"
            "<p><strong>Key context:</strong> A spillway is a controlled overflow "
            "channel that lets excess water leave a full reservoir without it "
            "running over the top of the dam itself. Its use is not a sign that the "
            "dam is failing, but the extra flow adds to the water heading downstream "
            "towards Wrenford.</p>"
            "<p>Tallow Moor Dam is an earth embankment 24m high, completed in 1931. "
            "The authority says the spillway was last used to this extent in 2007. "
            "<a href=\"https://example.org/wrenford-floods/how-spillways-work\">Read "
            "our explainer on how spillways work</a>.</p>"
        ),
        "image": None,
        "update_note": "",
        "verification_note": "",
        "tags": ["tallow-moor-dam", "explainer"],
        "pinned": False,
        "edited_minute": None,
    },
    # 4 - 06:52
    {
        "minute": 52,
        "author": "tomasz.wierzbicki",
        "headline": "Trains suspended and Town Bridge closed",
        "body": (
            "<p>Rail services between Wrenford and Kelderby have been suspended "
            "because of flooding on the line near Fennick, Marchland Railways said. "
            "Replacement buses are not yet running because several roads are also "
            "affected.</p>"
            "<p>Wrenford City Council has closed <strong>Town Bridge</strong> to "
            "traffic and pedestrians as a precaution. Drivers are being sent to the "
            "Northern Relief Road crossing instead.</p>"
            "<p>The council is advising people not to travel into the lower city "
            "this morning unless it is essential. "
            "<a href=\"https://example.org/wrenford-floods/travel\">Our travel page "
            "has the latest closures</a>.</p>"
        ),
        "image": None,
        "update_note": "",
        "verification_note": "",
        "tags": ["transport"],
        "pinned": False,
        "edited_minute": None,
    },
    # 5 - 07:10 (round-up)
    {
        "minute": 70,
        "author": "helen.marsh",
        "headline": "Here’s what you should know this morning",
        "body": (
            "<ul>"
            "<li><strong>The river:</strong> The River Vale stood at 5.52m at Town "
            "Bridge at 7am and is still rising. The record is 5.62m, set in February "
            "1987.</li>"
            "<li><strong>The dam:</strong> Water has been flowing over the emergency "
            "spillway at Tallow Moor Dam since 3.40am. The Vale Water Authority says "
            "the spillway is working as designed.</li>"
            "<li><strong>Evacuations:</strong> About 1,200 people in Millreach have "
            "been told to leave their homes. A rest centre is open at Northgate "
            "Community Hall.</li>"
            "<li><strong>Warnings:</strong> Severe flood warnings, meaning a danger "
            "to life, are in force for Millreach and Wharfside.</li>"
            "<li><strong>Travel:</strong> Town Bridge is closed and trains between "
            "Wrenford and Kelderby are suspended.</li>"
            "</ul>"
        ),
        "image": None,
        "update_note": "",
        "verification_note": "",
        "tags": ["round-up"],
        "pinned": False,
        "edited_minute": None,
    },
    # 6 - 07:25
    {
        "minute": 85,
        "author": "tomasz.wierzbicki",
        "headline": "Amber rain warning in force until 3pm",
        "body": (
            "<p>The National Weather Office’s amber warning for heavy rain remains in "
            "force across the Vale until 3pm, with a further 20mm to 30mm expected "
            "on high ground and 10mm to 15mm in Wrenford itself.</p>"
            "<p>“The heaviest bursts should come through between now and late "
            "morning, then it turns more showery this afternoon,” said forecaster "
            "Beth Annand. “The trouble is that whatever falls now lands on ground "
            "that simply can’t take any more.”</p>"
            "<p><strong>Key context:</strong> An amber warning means there is an "
            "increased likelihood of impacts such as flooding of homes and "
            "businesses and disruption to travel. It is one level below red, the "
            "highest.</p>"
            "<p>Drier weather is forecast for Wednesday, but another band of rain is "
            "expected on Thursday. "
            "<a href=\"https://example.org/weather/vale-forecast\">See the full "
            "forecast</a>.</p>"
        ),
        "image": None,
        "update_note": "",
        "verification_note": "",
        "tags": ["weather"],
        "pinned": False,
        "edited_minute": None,
        # Published with the warning's end misstated; corrected openly 27 minutes later (the text above is the
        # corrected one).
        "correction": {
            "minute": 112,
            "note": (
                "An earlier version of this post said the amber rain warning "
                "was in force until 6pm. It runs until 3pm."
            ),
        },
    },
    # 7 - 07:40
    {
        "minute": 100,
        "author": "amara.okafor",
        "headline": "Search under way after car swept off Ford Road crossing",
        "body": (
            "<p>A search is under way for a man whose car was swept off the Ford "
            "Road crossing near Low Fennick at about 7.20am, according to Marchland "
            "Police.</p>"
            "<p>Police said a member of the public saw the vehicle enter the water "
            "on the low causeway, which had been closed overnight. Fire service "
            "water rescue teams and a police drone are searching the river "
            "downstream.</p>"
            "<p>Superintendent Mark Ellery urged people to respect road closures: "
            "“Please do not attempt to drive through flood water under any "
            "circumstances. It is far stronger than it looks.”</p>"
        ),
        "image": None,
        "update_note": "",
        "verification_note": "",
        "tags": ["rescue", "casualties"],
        "pinned": False,
        "edited_minute": None,
    },
    # 8 - 07:58
    {
        "minute": 118,
        "author": "tomasz.wierzbicki",
        "headline": "23 schools closed across the lower Vale",
        "body": (
            "<p>Wrenford City Council says 23 schools are closed today, either "
            "because they are in or near warning areas or because staff and pupils "
            "cannot reach them safely.</p>"
            "<p>Wrenford Academy will be closed to pupils because its sports hall is "
            "being prepared as a second rest centre.</p>"
            "<p>Parents are asked to check the "
            "<a href=\"https://example.org/wrenford-council/school-closures\">full "
            "list of closures</a> rather than travelling to school sites.</p>"
        ),
        "image": None,
        "update_note": "",
        "verification_note": "",
        "tags": ["schools"],
        "pinned": False,
        "edited_minute": None,
    },
    # 9 - 08:10
    {
        "minute": 130,
        "author": "amara.okafor",
        "headline": "River Vale breaks 1987 record at Town Bridge",
        "body": (
            "<p>The River Vale reached 5.71m at the Town Bridge gauge at 8am, "
            "passing the previous record of 5.62m set in February 1987, according "
            "to provisional National Flood Agency data.</p>"
            "<p>From the north bank, the water is now just below the crown of the "
            "bridge’s arches, carrying branches, fence panels and at least one "
            "wheelie bin. The riverside footpath and the lower end of Quay Street "
            "are under water.</p>"
            "<p>The agency said levels were expected to keep rising into the "
            "afternoon as water from the upper catchment and the Tallow Moor "
            "spillway continued to arrive. "
            "<a href=\"https://example.org/national-flood-agency/gauges/vale-town-bridge\">"
            "Follow the gauge readings here</a>.</p>"
        ),
        "image": {
            "caption": (
                "Floodwater from the River Vale rises close to the top of the arches "
                "of Town Bridge in Wrenford-on-Vale on Tuesday morning, after the "
                "river passed its 1987 record level."
            ),
            "credit": "Marcus Bell/The Dateline Courier",
            "alt": (
                "A fast-flowing brown river almost reaching the top of the arches "
                "of a stone bridge, with buildings on the far bank"
            ),
            "color": "#6b5a45",
            "label": "Town Bridge, 8am",
        },
        "update_note": "",
        "verification_note": "",
        "tags": ["river-levels"],
        "pinned": False,
        "edited_minute": None,
    },
    # 10 - 08:30
    {
        "minute": 150,
        "author": "helen.marsh",
        "headline": "Evacuation zone widened to Wharfside and Low Fennick",
        "body": (
            "<p>The evacuation area has been extended to include Wharfside and Low "
            "Fennick, Wrenford City Council says, bringing the number of people "
            "told to leave their homes to about 2,300.</p>"
            "<p>Residents of the affected streets are being contacted by police and "
            "council staff. Anyone who cannot leave without help, including people "
            "with mobility problems, is asked to call the council helpline on "
            "01632 960 418.</p>"
            "<p>A second rest centre will open at Wrenford Academy sports hall on "
            "Linden Avenue later this morning. "
            "<a href=\"https://example.org/wrenford-council/evacuation-zones\">Check "
            "whether your street is included</a>.</p>"
        ),
        "image": None,
        "update_note": "",
        "verification_note": "",
        "tags": ["evacuations"],
        "pinned": False,
        "edited_minute": None,
    },
    # 11 - 08:50
    {
        "minute": 170,
        "author": "tomasz.wierzbicki",
        "headline": "About 2,900 homes and businesses without power",
        "body": (
            "<p>Marchland Power Networks says about 2,900 properties in Wrenford are "
            "without electricity after it switched off substations in Millreach and "
            "Wharfside as a precaution before floodwater reached them.</p>"
            "<p>The company said it could not restore supplies to those areas until "
            "the water had receded and equipment had been checked. It is providing "
            "hot food and phone charging at the rest centres.</p>"
            "<p>Customers are asked to report faults online rather than by phone, to "
            "keep lines free for vulnerable people. "
            "<a href=\"https://example.org/marchland-power/outages\">Check the "
            "power-cut map</a>.</p>"
        ),
        "image": None,
        "update_note": "",
        "verification_note": "",
        "tags": ["power"],
        "pinned": False,
        "edited_minute": None,
    },
    # 12 - 09:15
    {
        "minute": 195,
        "author": "amara.okafor",
        "headline": "Volunteers fill sandbags at the rowing club",
        "body": (
            "<p>At Wrenford Rowing Club, on higher ground on the north bank, about "
            "60 volunteers are filling sandbags from a lorry-load of sand the "
            "council delivered at first light.</p>"
            "<p>“We put a message in the club group chat at half five and people "
            "just turned up,” said club captain Hannah Ruddock. “We’ve done about "
            "1,500 bags so far, and the council vans keep taking them away.”</p>"
            "<p>The club has also lent two safety launches and their drivers to the "
            "fire service, which is using them to check streets in Millreach.</p>"
            "<p>The council says sandbags are being prioritised for homes in the "
            "warning areas and for vulnerable residents. "
            "<a href=\"https://example.org/wrenford-council/sandbags\">Find out how to "
            "request them</a>.</p>"
        ),
        "image": {
            "caption": (
                "Volunteers fill sandbags at Wrenford Rowing Club on the north bank "
                "of the River Vale on Tuesday morning. About 60 people came after an "
                "appeal in the club’s group chat."
            ),
            "credit": "Lucy Farrant/The Dateline Courier",
            "alt": (
                "A line of volunteers in waterproof jackets shovelling sand into "
                "white bags beside a large pile of sand"
            ),
            "color": "#8a7a52",
            "label": "Wrenford Rowing Club, 9am",
        },
        "update_note": "",
        "verification_note": "",
        "tags": ["volunteers"],
        "pinned": False,
        "edited_minute": None,
    },
    # 13 - 09:40
    {
        "minute": 220,
        "author": "rhiannon.pryce",
        "headline": "Engineers inspect spillway after erosion reported",
        "body": (
            "<p>Engineers from the Vale Water Authority are inspecting the foot of "
            "the Tallow Moor spillway after staff reported erosion of the earth bank "
            "beside the concrete channel, the authority has confirmed.</p>"
            "<p>The flow down the spillway has increased through the morning. The "
            "authority estimates it at about 380 cubic metres per second, enough to "
            "fill an Olympic swimming pool in under seven seconds.</p>"
            "<p><strong>What an official says:</strong> “We have seen some scouring "
            "at the toe of the spillway, which is something we plan for in an event "
            "like this,” said Dr Ruth Castellane, the authority’s chief engineer. "
            "“The dam embankment itself is not affected. We are assessing it now, "
            "and we will be open about what we find.”</p>"
            "<p>I can see a team in high-visibility jackets at the bottom of the "
            "channel, and an excavator is being brought along the access road.</p>"
        ),
        "image": None,
        "update_note": "",
        "verification_note": "",
        "tags": ["tallow-moor-dam"],
        "pinned": False,
        "edited_minute": None,
    },
    # 14 - 10:20
    {
        "minute": 260,
        "author": "amara.okafor",
        "headline": "Family of four rescued from roof in Low Fennick",
        "body": (
            "<p>A family of four and their dog have been rescued by boat from the "
            "roof of a single-storey extension in Low Fennick, Marchland Fire and "
            "Rescue Service said.</p>"
            "<p>The parents and their two children, aged six and nine, climbed on to "
            "the roof after water came into the house faster than they expected. A "
            "water rescue crew reached them at about 10am and took them to Northgate "
            "Community Hall. The fire service said none of them needed hospital "
            "treatment.</p>"
            "<p>“The water came up the garden in about 20 minutes,” the father, who "
            "asked not to be named, told me at the rest centre. “The kids were "
            "brilliant. They thought the boat was the best bit.”</p>"
            "<p>Watch Manager Craig Pemberton, who led the crew, said: “They did "
            "exactly the right thing. They got high and they called 999. That’s what "
            "we want anyone who gets cut off to do.”</p>"
        ),
        "image": {
            "caption": (
                "A Marchland Fire and Rescue Service crew guides a boat carrying a "
                "rescued family to dry ground in Low Fennick, Wrenford-on-Vale, on "
                "Tuesday morning."
            ),
            "credit": "Marcus Bell/The Dateline Courier",
            "alt": (
                "Firefighters in drysuits wading beside an inflatable rescue boat "
                "with passengers along a flooded residential street"
            ),
            "color": "#4a6b8a",
            "label": "Low Fennick rescue, 10am",
        },
        "update_note": (
            "This post has been updated with comments from the family and the "
            "crew’s watch manager."
        ),
        "verification_note": "",
        "tags": ["rescue"],
        "pinned": False,
        "edited_minute": 300,
    },
    # 15 - 10:45 (round-up)
    {
        "minute": 285,
        "author": "helen.marsh",
        "headline": "Catch up: the morning so far",
        "body": (
            "<ul>"
            "<li><strong>Record river level:</strong> The River Vale reached 5.93m at "
            "Town Bridge at 10.30am, above the 1987 record of 5.62m. It is expected "
            "to keep rising into the afternoon.</li>"
            "<li><strong>Evacuations:</strong> About 2,300 people in Millreach, "
            "Wharfside and Low Fennick have been told to leave. Rest centres are "
            "open at Northgate Community Hall and Wrenford Academy.</li>"
            "<li><strong>Search:</strong> Rescue teams are searching for a man whose "
            "car was swept off the Ford Road crossing at about 7.20am.</li>"
            "<li><strong>Rescue:</strong> A family of four and their dog were taken "
            "by boat from the roof of their home in Low Fennick.</li>"
            "<li><strong>Dam:</strong> Engineers are inspecting erosion at the foot "
            "of the Tallow Moor spillway. The authority says the embankment is not "
            "affected.</li>"
            "<li><strong>Disruption:</strong> About 2,900 properties are without "
            "power, 23 schools are closed and trains between Wrenford and Kelderby "
            "are suspended.</li>"
            "</ul>"
        ),
        "image": None,
        "update_note": "",
        "verification_note": "",
        "tags": ["round-up"],
        "pinned": False,
        "edited_minute": None,
    },
    # 16 - 11:10
    {
        "minute": 310,
        "author": "amara.okafor",
        "headline": "Councillor says two people have died; not confirmed by police",
        "body": (
            "<p>Tom Ferris, the city councillor for Millreach, has said in a post on "
            "social media that two people have died in the flooding. He did not say "
            "where the information had come from.</p>"
            "<p>Marchland Police and the fire service have not confirmed any deaths. "
            "A police spokesperson said an update would be given at the multi-agency "
            "briefing at 11.30am and asked people “not to speculate while families "
            "are still being contacted”.</p>"
            "<p>We have asked Cllr Ferris for more details.</p>"
        ),
        "image": None,
        "update_note": "",
        "verification_note": (
            "The Dateline Courier has not been able to independently verify the "
            "councillor’s figure. We will report confirmed information from the "
            "emergency services as soon as it is available."
        ),
        "verification": "unverified",
        "tags": ["casualties"],
        "pinned": False,
        "edited_minute": None,
    },
    # 17 - 11:30
    {
        "minute": 330,
        "author": "helen.marsh",
        "headline": "Briefing: one death confirmed, one person unaccounted for",
        "body": (
            "<p>At the multi-agency briefing at Wrenford Town Hall, police confirmed "
            "that <strong>one person has died</strong>. The body of a man in his 70s "
            "was recovered from the river near Low Fennick at about 10.50am, after "
            "the search that began when his car was swept off the Ford Road "
            "crossing. His family has been told.</p>"
            "<p>Superintendent Mark Ellery said a woman in her 60s from Wharfside, "
            "reported missing by her family this morning, was “unaccounted for”. He "
            "said there was nothing to suggest she had come to harm, and asked "
            "people not to share unconfirmed reports.</p>"
            "<p>Other points from the briefing:</p>"
            "<ul>"
            "<li><strong>Evacuations:</strong> About 3,400 people have now been asked "
            "to leave their homes, up from 2,300 earlier, after the zone was "
            "extended along the Fennick Road corridor.</li>"
            "<li><strong>Rescues:</strong> Fire crews have rescued or helped about "
            "140 people from flooded properties since midnight.</li>"
            "<li><strong>River:</strong> The National Flood Agency expects the Vale "
            "to peak at Town Bridge between 1pm and 4pm, at between 6.0m and "
            "6.3m.</li>"
            "</ul>"
            "<p><strong>What an official says:</strong> The mayor of Wrenford, Priya "
            "Halloran, told reporters:</p>"
            "<blockquote>“This is a very sad morning for Wrenford, and our thoughts "
            "are with the family of the man who died. I want to thank every "
            "firefighter, police officer, council worker and volunteer who has been "
            "out since the early hours. Please, if you are asked to leave, go.”"
            "</blockquote>"
            "<p>Chief Fire Officer Sunita Varga said crews from four neighbouring "
            "fire services had been brought in to help. "
            "<a href=\"https://example.org/wrenford-floods/briefing-transcript\">Read "
            "the full briefing</a>.</p>"
        ),
        "image": {
            "caption": (
                "The mayor of Wrenford, Priya Halloran, centre, speaks at a "
                "multi-agency briefing at Wrenford Town Hall on Tuesday, with Chief "
                "Fire Officer Sunita Varga, left, and Superintendent Mark Ellery."
            ),
            "credit": "Joanna Reyes/The Dateline Courier",
            "alt": (
                "Three officials standing behind a table with microphones in a "
                "wood-panelled room"
            ),
            "color": "#5a4a6b",
            "label": "Town Hall briefing, 11.30am",
        },
        "update_note": "This post has been updated with further details from the briefing.",
        "verification_note": "",
        "tags": ["briefing", "casualties", "evacuations"],
        "pinned": False,
        "edited_minute": 345,
    },
    # 18 - 11:55
    {
        "minute": 355,
        "author": "rhiannon.pryce",
        "headline": "Tallow village evacuated as a precaution",
        "body": (
            "<p>About 180 residents of Tallow, the village directly below Tallow Moor "
            "Dam, are being asked to leave their homes as a precaution while "
            "engineers assess the erosion at the foot of the spillway.</p>"
            "<p>The Vale Water Authority stressed there was “no imminent risk” to the "
            "dam. Residents are being taken by coach to a rest centre at Kelderby "
            "Leisure Centre.</p>"
            "<p><strong>What an official says:</strong> “The embankment is sound and "
            "is performing as it should,” said Dr Ruth Castellane. “We need room to "
            "work on the spillway channel safely, and we would rather people were "
            "out of the valley while we do that.”</p>"
            "<p>Outside the village shop, Maureen Selby, 81, said she had packed a "
            "bag at breakfast. “You hear the water all night. I’m not frightened of "
            "the dam, but I’m not going to argue with them either.”</p>"
        ),
        "image": {
            "caption": (
                "Residents of Tallow board a coach outside the village hall on "
                "Tuesday after being asked to leave as a precaution while engineers "
                "inspect the Tallow Moor Dam spillway."
            ),
            "credit": "Sam Okonjo/The Dateline Courier",
            "alt": (
                "Older residents carrying bags queue to board a coach on a village "
                "street in the rain"
            ),
            "color": "#56665a",
            "label": "Tallow village, noon",
        },
        "update_note": "",
        "verification_note": "",
        "tags": ["tallow-moor-dam", "evacuations"],
        "pinned": False,
        "edited_minute": None,
    },
    # 19 - 12:20
    {
        "minute": 380,
        "author": "tomasz.wierzbicki",
        "headline": "Eastway closed: how to get around Wrenford",
        "body": (
            "<p>The Eastway bypass is now closed in both directions between the "
            "Millreach roundabout and the Fennick junction because of flooding, the "
            "council says. With Town Bridge also shut, the only open crossing of the "
            "Vale in the city is the Northern Relief Road bridge, where traffic is "
            "queuing heavily.</p>"
            "<ul>"
            "<li><strong>Roads:</strong> Town Bridge, Ford Road, Quay Street and the "
            "Eastway between Millreach and Fennick are closed.</li>"
            "<li><strong>Rail:</strong> No trains are running between Wrenford and "
            "Kelderby. Services north of the city are running.</li>"
            "<li><strong>Buses:</strong> Vale Buses has withdrawn routes 4, 7 and 12 "
            "and says others face long delays.</li>"
            "</ul>"
            "<p><a href=\"https://example.org/wrenford-floods/travel\">Keep reading: "
            "the full list of closures and diversions</a>.</p>"
        ),
        "image": None,
        "update_note": "",
        "verification_note": "",
        "tags": ["transport"],
        "pinned": False,
        "edited_minute": None,
    },
    # 20 - 12:45
    {
        "minute": 405,
        "author": "helen.marsh",
        "headline": "How to help: what is needed, and what isn’t",
        "body": (
            "<p>Many readers have asked how they can help people affected by the "
            "flooding. Here is what the council and local charities are asking "
            "for.</p>"
            "<ul>"
            "<li><strong>Give money:</strong> The Vale Community Foundation opened an "
            "<a href=\"https://example.org/vale-community-foundation/flood-appeal\">"
            "emergency flood appeal</a> at midday to fund grants for flooded "
            "households. It says cash is the most useful donation at this "
            "stage.</li>"
            "<li><strong>Food:</strong> Wrenford Food Bank needs tinned food, "
            "long-life milk and toiletries at its Northgate warehouse. "
            "<a href=\"https://example.org/wrenford-food-bank/needs\">See its "
            "list</a>.</li>"
            "<li><strong>Volunteering:</strong> Register through the "
            "<a href=\"https://example.org/wrenford-council/volunteer\">council’s "
            "volunteer page</a> rather than turning up at rest centres, which have "
            "enough helpers for now.</li>"
            "<li><strong>Clothes and bedding:</strong> Please do not take these to "
            "rest centres, which have no space to store or sort them.</li>"
            "</ul>"
            "<p><a href=\"https://example.org/wrenford-floods/how-to-help\">Keep "
            "reading: our full guide to helping</a>.</p>"
        ),
        "image": None,
        "update_note": "",
        "verification_note": "",
        "tags": ["how-to-help", "volunteers"],
        "pinned": False,
        "edited_minute": None,
    },
    # 21 - 13:10
    {
        "minute": 430,
        "author": "amara.okafor",
        "headline": "Online claims of three deaths are wrong, police say",
        "body": (
            "<p>Social media posts claiming that three people have died in the "
            "Wrenford floods, and a video said to show a car being swept off Town "
            "Bridge this morning, are inaccurate, Marchland Police said.</p>"
            "<p>The force said the video had been filmed elsewhere several years ago. "
            "Town Bridge has been closed to traffic since before 7am.</p>"
            "<p><strong>Methodology:</strong> The Dateline Courier reports deaths as "
            "confirmed only when they are confirmed by the police, the fire service "
            "or the coroner’s office, or by a family directly. Figures from other "
            "sources are attributed and clearly described as unconfirmed.</p>"
            "<p>As of 1pm, the confirmed death toll stands at one. The woman in her "
            "60s reported missing this morning remains unaccounted for.</p>"
        ),
        "image": None,
        "update_note": "",
        "verification_note": (
            "The Dateline Courier found copies of the video online dating from "
            "before today’s flooding. We have not been able to verify the claims "
            "about the number of deaths, which police say are incorrect."
        ),
        "verification": "disputed",
        "tags": ["casualties", "fact-check"],
        "pinned": False,
        "edited_minute": None,
    },
    # 22 - 13:50
    {
        "minute": 470,
        "author": "amara.okafor",
        "headline": "Woman reported missing is found safe",
        "body": (
            "<p>The woman in her 60s who was reported missing from Wharfside this "
            "morning has been found safe and well at a relative’s home in the north "
            "of the city, Marchland Police said.</p>"
            "<p>Police said she had left her flat early on Tuesday when the "
            "evacuation began but could not contact her family because her phone "
            "battery had run out.</p>"
            "<p><strong>Key context:</strong> One death has been confirmed in the "
            "flooding: a man in his 70s whose car was swept off the Ford Road "
            "crossing this morning. Earlier, a local councillor said two people had "
            "died, and posts online claimed three. Police say no one else is "
            "currently reported missing.</p>"
            "<p>Cllr Tom Ferris said in a follow-up post that he had “acted on "
            "information passed to me in good faith” and apologised for any "
            "distress caused.</p>"
        ),
        "image": None,
        "update_note": "",
        "verification_note": "",
        "tags": ["casualties"],
        "pinned": False,
        "edited_minute": None,
    },
    # 23 - 14:15
    {
        "minute": 495,
        "author": "amara.okafor",
        "headline": "Care home residents moved to safety",
        "body": (
            "<p>All 38 residents of Larchfield House, a care home on Fennick Road, "
            "have been moved to a sister home in the north of the city as water "
            "approached the building, the home’s operator said.</p>"
            "<p>Staff, ambulance crews and volunteers carried out the move over about "
            "two hours. “Some of our residents are very frail, so we started early "
            "rather than wait,” said the home’s manager, Joyce Adeyemi. “Everybody "
            "is warm, fed and settled.”</p>"
            "<p>The residents are included in the council’s evacuation figures.</p>"
        ),
        "image": {
            "caption": (
                "Ambulance staff help a resident of Larchfield House care home on "
                "Fennick Road, Wrenford-on-Vale, into a vehicle on Tuesday afternoon "
                "as the home was evacuated."
            ),
            "credit": "Sam Okonjo/The Dateline Courier",
            "alt": (
                "A paramedic in a green uniform pushing an older woman in a "
                "wheelchair towards an ambulance"
            ),
            "color": "#7a5a5a",
            "label": "Larchfield House, 2pm",
        },
        "update_note": "",
        "verification_note": "",
        "tags": ["evacuations"],
        "pinned": False,
        "edited_minute": None,
    },
    # 24 - 14:55
    {
        "minute": 535,
        "author": "tomasz.wierzbicki",
        "headline": "River Vale appears to have peaked at 6.14m",
        "body": (
            "<p>The River Vale appears to have peaked at Town Bridge at "
            "<strong>6.14m at 2.15pm</strong>, according to provisional National "
            "Flood Agency readings, 52cm above the previous record set in 1987.</p>"
            "<p>The level has since dropped by 3cm. The agency cautioned that it "
            "would be some hours before it could be sure the peak had passed, and "
            "that levels would stay high overnight.</p>"
            "<p><strong>Methodology:</strong> River levels quoted on this page come "
            "from the agency’s gauge on the upstream side of Town Bridge, which "
            "records every 15 minutes. Provisional readings can be revised once the "
            "data has been checked, and other parts of the city may peak at "
            "different times.</p>"
            "<p><a href=\"https://example.org/national-flood-agency/gauges/vale-town-bridge\">"
            "See the live gauge readings</a>.</p>"
        ),
        "image": None,
        "update_note": "",
        "verification_note": "",
        "tags": ["river-levels"],
        "pinned": False,
        "edited_minute": None,
    },
    # 25 - 15:10
    {
        "minute": 550,
        "author": "tomasz.wierzbicki",
        "headline": "Amber warning ends, but more rain due on Thursday",
        "body": (
            "<p>The National Weather Office’s amber rain warning has expired. "
            "Lighter, patchy rain is expected for the rest of the afternoon before it "
            "clears this evening.</p>"
            "<p>Wednesday is forecast to be mostly dry with sunny spells and a high "
            "of 9C. But a yellow warning for rain has been issued for Thursday, with "
            "15mm to 25mm possible over higher ground.</p>"
            "<p>“It’s nothing like what we’ve just had, but the rivers will still be "
            "high, so it could slow the recovery,” said forecaster Beth Annand. "
            "<a href=\"https://example.org/weather/vale-forecast\">See the full "
            "forecast</a>.</p>"
        ),
        "image": None,
        "update_note": "",
        "verification_note": "",
        "tags": ["weather"],
        "pinned": False,
        "edited_minute": None,
    },
    # 26 - 15:30 (round-up)
    {
        "minute": 570,
        "author": "helen.marsh",
        "headline": "Here’s what you should know this afternoon",
        "body": (
            "<ul>"
            "<li><strong>Peak:</strong> The River Vale appears to have peaked at "
            "6.14m at Town Bridge at 2.15pm, 52cm above the 1987 record.</li>"
            "<li><strong>Casualties:</strong> A man in his 70s has died after his car "
            "was swept off the Ford Road crossing. A woman reported missing has been "
            "found safe. Police say earlier claims of two or three deaths were "
            "wrong.</li>"
            "<li><strong>Evacuations:</strong> About 3,900 people have been asked to "
            "leave their homes, including 180 residents of Tallow village below the "
            "dam and 38 care home residents.</li>"
            "<li><strong>Dam:</strong> Engineers are still assessing erosion at the "
            "foot of the Tallow Moor spillway. The authority says the dam is "
            "sound.</li>"
            "<li><strong>Weather:</strong> The amber rain warning has ended. "
            "Wednesday should be dry, but more rain is forecast for Thursday.</li>"
            "<li><strong>How to help:</strong> The Vale Community Foundation’s "
            "<a href=\"https://example.org/vale-community-foundation/flood-appeal\">"
            "flood appeal</a> is taking donations.</li>"
            "</ul>"
        ),
        "image": None,
        "update_note": "",
        "verification_note": "",
        "tags": ["round-up"],
        "pinned": False,
        "edited_minute": None,
    },
    # 27 - 16:00
    {
        "minute": 600,
        "author": "rhiannon.pryce",
        "headline": "Spillway erosion ‘minor’, engineers say",
        "body": (
            "<p>Engineers have found that the erosion at the foot of the Tallow Moor "
            "spillway is “minor and localised”, the Vale Water Authority said, and "
            "crews have begun placing large rock to protect the bank.</p>"
            "<p>The flow over the spillway peaked at about 410 cubic metres per "
            "second shortly before 11am and has since fallen to about 290, the "
            "authority said.</p>"
            "<p>But Tallow’s 180 residents will not be allowed home tonight. Dr Ruth "
            "Castellane said the authority wanted the repair finished and checked in "
            "daylight first. “I know that’s frustrating,” she said. “We expect to "
            "have an answer for them by tomorrow lunchtime.”</p>"
        ),
        "image": None,
        "update_note": "",
        "verification_note": "",
        "tags": ["tallow-moor-dam"],
        "pinned": False,
        "edited_minute": None,
    },
    # 28 - 16:30
    {
        "minute": 630,
        "author": "daniel.osei",
        "headline": "Rail line to stay closed until at least Thursday",
        "body": (
            "<p>I’m taking over the live page from Helen Marsh for the evening. "
            "Thank you for following our coverage.</p>"
            "<p>Marchland Railways says the line between Wrenford and Kelderby will "
            "stay closed until at least Thursday. Engineers need to inspect an "
            "embankment near Fennick where floodwater has washed away ballast from "
            "beneath the track.</p>"
            "<p>Replacement buses will run from tomorrow morning via the Northern "
            "Relief Road, but the operator warns journeys could take up to an hour "
            "longer. <a href=\"https://example.org/marchland-railways/disruption\">"
            "Check before you travel</a>.</p>"
        ),
        "image": None,
        "update_note": "",
        "verification_note": "",
        "tags": ["transport"],
        "pinned": False,
        "edited_minute": None,
    },
    # 29 - 17:00
    {
        "minute": 660,
        "author": "daniel.osei",
        "headline": "Clean-up will take ‘weeks, not days’, mayor says",
        "body": (
            "<p>At the evening briefing, the mayor, Priya Halloran, said the clean-up "
            "in Wrenford would take “weeks, not days” and that the council would "
            "open a recovery centre at the Town Hall from Wednesday.</p>"
            "<p>The latest figures from the emergency services:</p>"
            "<ul>"
            "<li><strong>Evacuations:</strong> About 4,100 people from roughly 1,650 "
            "homes have been asked to leave, after a few more streets off Fennick "
            "Road were added this afternoon.</li>"
            "<li><strong>Overnight shelter:</strong> About 610 people are expected to "
            "stay in the four rest centres tonight. Most evacuees are staying with "
            "family or friends.</li>"
            "<li><strong>Rescues:</strong> Fire crews have rescued or helped 212 "
            "people since midnight.</li>"
            "<li><strong>Casualties:</strong> One person has died. No one is "
            "currently reported missing.</li>"
            "</ul>"
            "<p><strong>What an official says:</strong> Chief Fire Officer Sunita "
            "Varga said: “The water is going down, but slowly, and it will be "
            "dangerous for a while yet. Please don’t go back into evacuated areas "
            "until you’re told it’s safe, and stay out of the water. It’s "
            "contaminated and full of debris.”</p>"
        ),
        "image": None,
        "update_note": "This post has been updated with the latest figure for people in rest centres.",
        "verification_note": "",
        "tags": ["briefing", "evacuations", "casualties"],
        "pinned": False,
        "edited_minute": 690,
    },
    # 30 - 17:40
    {
        "minute": 700,
        "author": "amara.okafor",
        "headline": "In the rest centre: ‘We left with what we could carry’",
        "body": (
            "<p>At Wrenford Academy sports hall, camp beds are laid out in rows under "
            "the basketball hoops, and volunteers from local churches and community "
            "groups are serving shepherd’s pie from a hatch in the corner.</p>"
            "<p>Aisha Rahman, 34, from Wharfside, is here with her two sons. “We left "
            "with what we could carry: school bags, the cat and the phone chargers,” "
            "she said. “I keep thinking about the photo albums on the bottom "
            "shelf.”</p>"
            "<p>Council staff are taking details of anyone who needs help with "
            "medication, and a vet is due this evening to check on the animals that "
            "came with their owners.</p>"
        ),
        "image": {
            "caption": (
                "Evacuees and volunteers in the sports hall at Wrenford Academy, "
                "Linden Avenue, which is being used as a rest centre, on Tuesday "
                "evening."
            ),
            "credit": "Lucy Farrant/The Dateline Courier",
            "alt": (
                "Rows of camp beds with blankets in a school sports hall, with "
                "people sitting and talking"
            ),
            "color": "#4f5f6f",
            "label": "Wrenford Academy rest centre, 5.30pm",
        },
        "update_note": "",
        "verification_note": "",
        "tags": ["evacuations", "volunteers"],
        "pinned": False,
        "edited_minute": None,
    },
    # 31 - 18:20
    {
        "minute": 740,
        "author": "tomasz.wierzbicki",
        "headline": "Power back for most, but 1,100 properties still cut off",
        "body": (
            "<p>Marchland Power Networks says it has restored electricity to about "
            "1,800 of the 2,900 properties that lost power this morning, after "
            "re-routing supplies around the Wharfside substation.</p>"
            "<p>About 1,100 properties, mostly in Millreach, are still without power. "
            "The company says they are likely to stay off until at least Wednesday "
            "evening because the Millreach substation is still under water.</p>"
            "<p><a href=\"https://example.org/marchland-power/outages\">Check the "
            "power-cut map</a>.</p>"
        ),
        "image": None,
        "update_note": "",
        "verification_note": "",
        "tags": ["power"],
        "pinned": False,
        "edited_minute": None,
    },
    # 32 - 19:00
    {
        "minute": 780,
        "author": "daniel.osei",
        "headline": "Flood appeal passes £86,000",
        "body": (
            "<p>The Vale Community Foundation says its emergency flood appeal has "
            "raised more than £86,000 from about 2,400 donors since it opened at "
            "midday.</p>"
            "<p>The foundation says the first grants, of £250 per household, will be "
            "paid from Friday to people whose homes have been flooded, to help with "
            "immediate costs such as food, clothing and temporary "
            "accommodation.</p>"
            "<p><a href=\"https://example.org/vale-community-foundation/flood-appeal\">"
            "Donate or apply for a grant here</a>.</p>"
        ),
        "image": None,
        "update_note": "",
        "verification_note": (
            "Fundraising figures were provided by the Vale Community Foundation and "
            "have not been independently verified by The Dateline Courier."
        ),
        "tags": ["how-to-help"],
        "pinned": False,
        "edited_minute": None,
    },
    # 33 - 19:50
    {
        "minute": 830,
        "author": "rhiannon.pryce",
        "headline": "What happens next at Tallow Moor?",
        "body": (
            "<p>With the flow over the spillway falling, attention at Tallow Moor is "
            "turning to the longer term.</p>"
            "<p><strong>Some background:</strong> The dam was built in 1931 to supply "
            "drinking water to Wrenford and nearby towns. The Vale Water Authority "
            "completed a £14m upgrade of the spillway in 2019, after a safety review "
            "found it might not cope with the most extreme floods.</p>"
            "<p><strong>Key context:</strong> The authority says an independent "
            "engineer will inspect the dam and spillway as soon as the reservoir "
            "level allows, and that the findings will be published.</p>"
            "<p>Some Tallow residents have asked why they were not told about the "
            "erosion sooner. The authority said it informed the council within 30 "
            "minutes of the first report and that the decision to evacuate was "
            "taken “at the earliest sensible point”.</p>"
            "<p><a href=\"https://example.org/wrenford-floods/tallow-moor-dam-questions\">"
            "Keep reading: your questions about the dam answered</a>.</p>"
        ),
        "image": None,
        "update_note": "",
        "verification_note": "",
        "tags": ["tallow-moor-dam", "explainer"],
        "pinned": False,
        "edited_minute": None,
    },
    # 34 - 20:40
    {
        "minute": 880,
        "author": "daniel.osei",
        "headline": "River falling slowly as warnings stay in place overnight",
        "body": (
            "<p>The River Vale was at 5.88m at Town Bridge at 8.30pm, 26cm below "
            "this afternoon’s peak but still above the 1987 record, the National "
            "Flood Agency said.</p>"
            "<p>Severe flood warnings remain in force overnight for Millreach, "
            "Wharfside and Low Fennick. The agency expects the level to fall below "
            "5m by Wednesday afternoon if the forecast holds.</p>"
            "<p>Town Bridge will stay closed tonight. The council says structural "
            "engineers will inspect it on Wednesday morning before any decision is "
            "made to reopen it.</p>"
        ),
        "image": None,
        "update_note": "",
        "verification_note": "",
        "tags": ["river-levels", "flood-warnings"],
        "pinned": False,
        "edited_minute": None,
    },
    # 35 - 21:45 (evening wrap)
    {
        "minute": 945,
        "author": "daniel.osei",
        "headline": "Catch up: the day in Wrenford",
        "body": (
            "<p>We are pausing our live coverage for tonight. Here is a summary of "
            "the day:</p>"
            "<ul>"
            "<li><strong>Record flood:</strong> The River Vale peaked at 6.14m at "
            "Town Bridge at 2.15pm, 52cm above the 1987 record, after Storm Corran "
            "brought 118mm of rain to the upper Vale in 36 hours.</li>"
            "<li><strong>Death:</strong> A man in his 70s died after his car was "
            "swept off the Ford Road crossing. Police say no one else is reported "
            "missing and that earlier claims of two or three deaths were "
            "incorrect.</li>"
            "<li><strong>Evacuations:</strong> About 4,100 people from 1,650 homes "
            "were asked to leave. About 610 are spending the night in rest "
            "centres.</li>"
            "<li><strong>Rescues:</strong> Fire crews rescued or helped 212 people, "
            "including a family of four taken from a roof in Low Fennick.</li>"
            "<li><strong>Dam:</strong> Engineers say erosion at the Tallow Moor "
            "spillway is minor, but Tallow’s 180 residents will not return home "
            "tonight.</li>"
            "<li><strong>Disruption:</strong> About 1,100 properties are without "
            "power, 14 schools will stay closed on Wednesday and the "
            "Wrenford–Kelderby rail line is shut until at least Thursday.</li>"
            "<li><strong>How to help:</strong> The Vale Community Foundation’s "
            "<a href=\"https://example.org/vale-community-foundation/flood-appeal\">"
            "flood appeal</a> has raised more than £86,000.</li>"
            "</ul>"
            "<p>We will be back from 6am on Wednesday. "
            "<a href=\"https://example.org/wrenford-floods\">Read our full coverage of "
            "the Wrenford floods</a>.</p>"
        ),
        "image": None,
        "update_note": "",
        "verification_note": "",
        "tags": ["round-up"],
        "pinned": False,
        "edited_minute": None,
    },
]

# The day before: a short evening blog in the same story (STORY_SLUG), so the demo shows previous/next-day links.
# Its figures lead into the next morning's: the Town Bridge gauge reads 5.41m at 6am on the 24th, the amber
# warning runs to 3pm on the 24th, the spillway starts at 3.40am, and the Ford Road causeway is closed overnight.
# "minute" counts from 16:00 on PREVIOUS_DAY["date"]; the blog ends at "ended_minute".
PREVIOUS_DAY: dict[str, Any] = {
    "slug": "vale-floods-2026-11-23",
    "title": "Storm Corran: River Vale rising",
    "description": (
        "Live updates as Storm Corran's rain pushes the River Vale towards "
        "record levels, with flood warnings for Millreach and Wharfside and "
        "the Tallow Moor reservoir close to full."
    ),
    "time_zone": "Europe/London",
    "date": "2026-11-23",
    "start_hour": 16,
    "ended_minute": 360,
}

PREVIOUS_DAY_POSTS: list[dict[str, Any]] = [
    # 0 - 16:00
    {
        "minute": 0,
        "author": "helen.marsh",
        "headline": "Flood warnings for Millreach and Wharfside as rain goes on",
        "body": (
            "<p>Good afternoon. We are starting live coverage as Storm Corran's "
            "rain, which began on Sunday evening, keeps falling across the Vale.</p>"
            "<p>The National Flood Agency has issued <strong>flood warnings</strong> "
            "for the Millreach and Wharfside areas of Wrenford-on-Vale, meaning "
            "flooding is expected and people should act now. At 4pm the gauge at "
            "Town Bridge read 4.35m and was rising by about 6cm an hour.</p>"
            "<p><strong>Some background:</strong> The highest level recorded at Town "
            "Bridge is 5.62m, in February 1987.</p>"
            "<p>The National Weather Office's amber warning for heavy rain runs "
            "until 3pm on Tuesday.</p>"
        ),
        "tags": ["overview", "flood-warnings"],
    },
    # 1 - 16:40
    {
        "minute": 40,
        "author": "tomasz.wierzbicki",
        "headline": "Sandbags handed out at the Quay Lane depot",
        "body": (
            "<p>A steady line of cars has been queuing at Wrenford City Council's "
            "depot on Quay Lane, where staff are handing out sandbags, ten to a "
            "household.</p>"
            "<p>“We've given out about 1,500 since lunchtime and we're filling more,” "
            "said depot supervisor Neil Abara. “Please only take what you need so "
            "there are enough for people near the river.”</p>"
            "<p>The council says the depot will stay open until 10pm.</p>"
        ),
        "tags": ["preparations", "wharfside"],
    },
    # 2 - 17:30
    {
        "minute": 90,
        "author": "rhiannon.pryce",
        "headline": "Tallow Moor reservoir nearly full",
        "body": (
            "<p>The Vale Water Authority says the reservoir behind Tallow Moor Dam "
            "is within 30cm of its top water level and still rising.</p>"
            "<p>If it fills, water will start to run down the dam's emergency "
            "spillway, possibly overnight. The authority said that would be the "
            "first time the spillway has carried this much water since 2007, and "
            "that it is how the dam is designed to cope.</p>"
            "<p>Engineers will watch the dam through the night, the authority "
            "said.</p>"
        ),
        "tags": ["tallow-moor-dam"],
    },
    # 3 - 18:45
    {
        "minute": 165,
        "author": "amara.okafor",
        "headline": "Millreach residents carry belongings upstairs",
        "body": (
            "<p>On Weir Street in Millreach, the river is now a few metres from the "
            "road and people are getting ready for a long night.</p>"
            "<p>Priya Nandra, 41, has moved her sofa, photographs and her children's "
            "school things to the first floor. “Everyone's been checking on each "
            "other,” she said. “If we're told to go, we'll go.”</p>"
            "<p>Marchland Police say no one has yet been asked to leave, but officers "
            "are visiting streets nearest the river to make sure people know the "
            "warnings.</p>"
        ),
        "tags": ["millreach", "preparations"],
    },
    # 4 - 20:15
    {
        "minute": 255,
        "author": "tomasz.wierzbicki",
        "headline": "Ford Road causeway closed for the night",
        "body": (
            "<p>The council has closed the <strong>Ford Road crossing</strong>, the "
            "low causeway near Low Fennick, until further notice because water is "
            "running across it.</p>"
            "<p>Trains between Wrenford and Kelderby are still running, but "
            "Marchland Railways has imposed a speed limit near Fennick and says "
            "delays of up to 20 minutes are likely.</p>"
        ),
        "tags": ["transport"],
    },
    # 5 - 21:30 (round-up)
    {
        "minute": 330,
        "author": "helen.marsh",
        "headline": "What we know tonight",
        "body": (
            "<ul>"
            "<li><strong>River:</strong> The Town Bridge gauge read 4.87m at 9pm, "
            "75cm below the 1987 record, and is still rising.</li>"
            "<li><strong>Warnings:</strong> Flood warnings cover Millreach and "
            "Wharfside; the amber rain warning runs until 3pm on Tuesday.</li>"
            "<li><strong>Dam:</strong> The Tallow Moor reservoir is close to full "
            "and its spillway may be used overnight.</li>"
            "<li><strong>Roads:</strong> The Ford Road causeway is closed.</li>"
            "<li><strong>Shelter:</strong> Northgate Community Hall is ready to open "
            "as a rest centre if people are asked to leave their homes.</li>"
            "</ul>"
            "<p>We are pausing our coverage here and will be back from 6am on "
            "Tuesday.</p>"
        ),
        "tags": ["round-up"],
    },
]

PREVIOUS_DAY_KEY_POINTS: list[dict[str, Any]] = [
    {
        "text": (
            "<strong>Rising river:</strong> The Vale reached 4.87m at Town Bridge "
            "by 9pm, 75cm below the 1987 record."
        ),
        "post_ref": 5,
    },
    {
        "text": (
            "<strong>Flood warnings:</strong> Millreach and Wharfside are told to "
            "expect flooding; sandbags are available on Quay Lane."
        ),
        "post_ref": 0,
    },
    {
        "text": (
            "<strong>Tallow Moor Dam:</strong> The reservoir is nearly full and "
            "the spillway may be used overnight."
        ),
        "post_ref": 2,
    },
]
