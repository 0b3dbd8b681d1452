"""Reading post HTML as the assist tools do: blocks, bold labels, sentences, words."""

from dateline.assist.text import blocks, content_words, plain_text, sentences


def test_blocks_keep_a_bold_opening_label_whichever_side_of_the_tag_its_colon_is():
    html = ("<p><strong>Key context:</strong> The dam &amp; spillway.</p>"
            "<ul><li><strong>Evacuations</strong>: About 4,100 people.</li>"
            "<li>Plain <strong>bold</strong> word.</li></ul>"
            "<h3>Sub-heading</h3><p>No label here.</p>")
    assert [(b.label, b.text, b.heading) for b in blocks(html)] == [
        ("Key context", "The dam & spillway.", False),
        ("Evacuations", "About 4,100 people.", False),
        ("", "Plain bold word.", False),
        ("", "Sub-heading", True),
        ("", "No label here.", False),
    ]
    assert plain_text("<p><strong>Death:</strong> One man.</p><p>Two</p>") == "Death: One man. Two"


def test_sentences_do_not_split_at_abbreviations_or_decimals():
    text = "Mr. Loxley said the river was at 2.4m. It rose again at 3pm! Will it peak? Officials think so."
    assert sentences(text) == ["Mr. Loxley said the river was at 2.4m.", "It rose again at 3pm!", "Will it peak?",
                               "Officials think so."]


def test_content_words_drop_stopwords_fold_plurals_and_possessives_and_keep_figures():
    assert content_words("The floods rose 2.4m; 4,100 people left Wrenford’s homes") == [
        "flood", "rose", "2.4", "4,100", "people", "left", "wrenford", "home"]
