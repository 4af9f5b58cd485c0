"""What the voice is told to say: numbers as a narrator says them, and the author's lexicon."""

from __future__ import annotations

import pytest

from pipeline.narration.spoken import apply_lexicon, cardinal, spoken, year


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("since 1990.", "since nineteen ninety."),
        ("In 1990, the aid stopped.", "In nineteen ninety, the aid stopped."),
        ("in 2009", "in two thousand nine"),
        ("in 2019", "in twenty nineteen"),
        ("in 1905", "in nineteen oh five"),
        ("in 2000", "in two thousand"),
        ("the 1990s", "the nineteen nineties"),
        ("the 2010s", "the twenty tens"),
        ("$10,000", "ten thousand dollars"),
        ("from $2,000 to $10,000.", "from two thousand dollars to ten thousand dollars."),
        ("$1", "one dollar"),
        ("$2.50", "two dollars fifty cents"),
        ("$3.5 million", "three point five million dollars"),
        ("34,000 people", "thirty-four thousand people"),
        ("1,047 people", "one thousand forty-seven people"),
        ("750,000 soldiers", "seven hundred fifty thousand soldiers"),
        ("3.5 million", "three point five million"),
        ("50% of them", "fifty percent of them"),
        ("at least 10 years", "at least ten years"),
        ("No numbers here.", "No numbers here."),
        # Numbers as people paste them: ranges, minus signs, units, thin spaces, '+'.
        ("It takes 5\u20137 days.", "It takes five to seven days."),
        ("It takes 5-7 days.", "It takes five to seven days."),
        ("from 1990-1994", "from nineteen ninety to nineteen ninety-four"),
        ("At \u221240 \u00b0C it freezes.", "At minus forty degrees Celsius it freezes."),
        ("a low of -1 \u00b0C", "a low of minus one degree Celsius"),
        ("about 2 million km\u00b2 of ice", "about two million square kilometres of ice"),
        ("a 1\u2009500 m climb", "a one thousand five hundred metres climb"),
        ("it makes 22.5 GW", "it makes twenty-two point five gigawatts"),
        ("20,000+ people", "more than twenty thousand people"),
        ("a 20-hour drive", "a twenty-hour drive"),
        ("COVID-19 arrived", "COVID-nineteen arrived"),
        ("the m is silent", "the m is silent"),
    ],
)
def test_numbers_are_said_as_a_narrator_says_them(written, said):
    assert spoken(written, {}) == said


def test_cardinal_and_year_words():
    assert cardinal(0) == "zero" and cardinal(21) == "twenty-one" and cardinal(100) == "one hundred"
    assert cardinal(1_000_001) == "one million one"
    assert year(1991) == "nineteen ninety-one" and year(1900) == "nineteen hundred"


def test_lexicon_replaces_whole_words_longest_first_case_sensitive():
    lexicon = {"DMZ": "D M Z", "Kim Jong-un": "Kim Jong Un", "Kim": "Kimm"}
    assert apply_lexicon("Kim Jong-un crossed the DMZ.", lexicon) == "Kim Jong Un crossed the D M Z."
    assert apply_lexicon("DMZs and dmz", lexicon) == "DMZs and dmz", "only whole, same-case words"
    assert apply_lexicon("Kim said", lexicon) == "Kimm said"


def test_lexicon_comes_before_numbers():
    """An entry can say a number its own way; the number rules do the rest."""
    assert spoken("COVID-19 in 2020", {"COVID-19": "covid nineteen"}) == "covid nineteen in twenty twenty"


def test_a_number_too_long_to_be_a_quantity_is_read_digit_by_digit():
    """A 5,000-digit number crashed the spoken form (Python refuses int() past 4,300 digits)."""
    assert spoken("Call 1234567890123456.", {}) == (
        "Call one two three four five six seven eight nine zero one two three four five six."
    )
    assert spoken("Some 999999999999999 grains.", {}).startswith("Some nine hundred ninety-nine trillion")
    said = spoken("A " + "7" * 5000 + " long one.", {})
    assert said.count("seven") == 5000 and said.endswith(" long one.")
    assert spoken("$" + "1" * 20 + ".50 paid.", {}).endswith("one dollars fifty cents paid.")
