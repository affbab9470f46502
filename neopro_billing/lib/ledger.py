"""The ledger's arithmetic, once (RULES §11): the balance formula, the sign of an operation in the debt,
and a counter's consumption through a rollover. Plain Python and SQL fragments: no ORM, no database."""

# closing = opening + charged + correction + penalty − paid (RULES §11). The SQL fragment takes column expressions.
BALANCE_END_SQL = '{start} + {charged} + {correction} + {penalty} - {paid}'


def balance_end(start, charged, correction, penalty, paid):
    """The closing balance of a billing line (RULES §11)."""
    return start + charged + correction + penalty - paid


# What an operation does to the debt: a payment lowers it, every other operation (charge, correction, penalty)
# raises it by its signed amount. The SQL fragment takes the operation's table alias.
SIGNED_AMOUNT_SQL = "CASE WHEN {alias}.operation_type = 'payment' THEN -{alias}.amount ELSE {alias}.amount END"


def signed_amount(operation_type, amount):
    """The change of the debt made by an operation of ``operation_type`` and ``amount``."""
    return -amount if operation_type == 'payment' else amount


# Volume counted between two values of a counter with ``digits`` digits: a smaller value means it passed 10^digits
# (a rollover); a reset (a new counter) counts from 0. The SQL fragment takes column expressions.
CONSUMPTION_SQL = """CASE WHEN {is_reset} THEN {value}
                          WHEN {value} >= {previous} THEN {value} - {previous}
                          ELSE power(10::numeric, {digits}) - {previous} + {value} END"""


def consumption(previous, value, digits, is_reset=False):
    """Volume between two counter values, through a rollover past 10^digits."""
    if is_reset:
        return value
    if value >= previous:
        return value - previous
    return 10 ** digits - previous + value


def is_rollover(previous, value, digits):
    """A smaller value is a rollover when the counter passed its maximum (under a tenth of its range since)."""
    return digits > 0 and value < previous and 10 ** digits - previous + value < 10 ** digits / 10


def has_too_many_digits(value, digits):
    """A reading the counter cannot show: ``digits`` digits stop at 10^digits − 1 (0 digits: no bound)."""
    return bool(digits) and value >= 10 ** digits


def is_lower_reading(previous, value, digits, is_reset=False):
    """A reading lower than the one before it, which is no rollover and no replaced counter: refused."""
    return value < previous and not is_reset and not is_rollover(previous, value, digits)
