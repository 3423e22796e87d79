"""Finding lines and columns in config.pbtxt text."""

from __future__ import annotations

from tritonship.repository.locate import ConfigText, blank_comments, block_spans, field_pattern, value_pattern

TEXT = '''# max_batch_size: 99 in a comment
name: "m#1"  # trailing comment
max_batch_size: 8
input [ { name: "X" dims: [ 4 ] } ]
output [ { name: "X" dims: [ 2 ] } ]
ensemble_scheduling { step [ { model_name: "a" input_map { key: "}" value: "v" } }, { model_name: "a" } ] }
'''


def test_comments_are_blanked_but_strings_kept():
    code = blank_comments(TEXT)
    assert "99" not in code and '"m#1"' in code and len(code) == len(TEXT)


def test_fields_and_tensors_are_located():
    text = ConfigText(TEXT)
    assert text.field("max_batch_size") == (3, 1)
    assert text.tensor("input", "X") == (4, 11)
    assert text.tensor("output", "X") == (5, 12)
    assert text.tensor("output", "X", "dims") == (5, 22)
    assert text.value("model_name", "a", nth=1) == (6, 87)
    assert text.locate(field_pattern("no_such_field")) == (None, None)
    assert text.locate(value_pattern("name", "m#1")) == (2, 1)


def test_step_blocks_ignore_braces_in_strings():
    spans = block_spans(blank_comments(TEXT), "ensemble_scheduling")
    assert len(spans) == 2
    first = TEXT[spans[0][0]:spans[0][1]]
    assert first.startswith("{ model_name") and first.endswith('value: "v" } }')
