"""Kazakh individual and business identification numbers (ИИН / БИН), pure Python.

Both are 12 digits; the 12th is a check digit: the sum of the first 11 digits weighted 1, 2, …, 11, modulo 11; when
that is 10, the sum weighted 3, 4, …, 11, 1, 2, modulo 11; a number whose second sum is 10 too is never issued.
"""

FIRST_WEIGHTS = tuple(range(1, 12))
SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def check_digit(first_eleven):
    """The check digit of 11 digits, None when no number with them is issued."""
    digits = [int(c) for c in first_eleven]
    for weights in (FIRST_WEIGHTS, SECOND_WEIGHTS):
        digit = sum(d * w for d, w in zip(digits, weights)) % 11
        if digit != 10:
            return digit
    return None


def is_valid(number):
    """Whether ``number`` (a string) is a well-formed ИИН / БИН: 12 digits whose last is the check digit."""
    number = number or ''
    if len(number) != 12 or not number.isdigit():
        return False
    return check_digit(number[:11]) == int(number[11])
