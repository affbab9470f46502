"""Penalty (пеня) arithmetic, pure Python (RULES §6 and §12).

P = debt × R/100 × K × days / 365 on each debt from the day after its due date, R the National Bank rate in force on
each day, K the coefficient; payments go to the oldest debt first and count from the day after they are made; the
penalty accrued on a debt never exceeds the debt. Daily amounts are summed unrounded and the result is rounded
once, to the tiyn.
"""
import bisect
import datetime
from decimal import ROUND_HALF_UP, Decimal

ONE_DAY = datetime.timedelta(days=1)
TIYN = Decimal('0.01')


def add_months(day, months):
    """``day`` (a first of the month) moved by ``months`` months."""
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1, day=1)


def due_date(month, due_day):
    """Due date of the charges of the billing month starting on ``month``: ``due_day`` of the next month (the last
    day of that month when it is shorter)."""
    following = add_months(month, 1)
    last = (add_months(month, 2) - ONE_DAY).day
    return following.replace(day=min(due_day, last))


class PenaltySettings(object):
    """The coefficient K, the due day and the dated rate table [(date_from, % per year)], sorted."""

    def __init__(self, coefficient, due_day, rates):
        self.coefficient = Decimal(coefficient)
        self.due_day = int(due_day)
        self.rates = sorted((day, Decimal(rate)) for day, rate in rates)
        self._rate_days = [day for day, _rate in self.rates]

    def rate_on(self, day):
        """The rate in force on ``day`` (0 before the first one)."""
        index = bisect.bisect_right(self._rate_days, day)
        return self.rates[index - 1][1] if index else Decimal(0)

    def next_rate_change(self, day):
        """The first day after ``day`` on which the rate changes, or None."""
        index = bisect.bisect_right(self._rate_days, day)
        return self._rate_days[index] if index < len(self._rate_days) else None


class _Credits(object):
    """Cumulative credits (payments, negative corrections) by the day they start to count: the day after."""

    def __init__(self, credits):
        self.days = []
        self.cumulative = []
        total = Decimal(0)
        for day, amount in sorted(credits):
            total += Decimal(amount)
            self.days.append(day + ONE_DAY)
            self.cumulative.append(total)

    def until(self, day):
        """Credits counting on ``day``."""
        index = bisect.bisect_right(self.days, day)
        return self.cumulative[index - 1] if index else Decimal(0)

    def next_change(self, day):
        index = bisect.bisect_right(self.days, day)
        return self.days[index] if index < len(self.days) else None


def _accrue(debt, cumulative, credits, settings, first, last):
    """Σ outstanding × R × K / 36500 over the days [first, last] of one debt, unrounded."""
    accrued = Decimal(0)
    day = first
    while day <= last:
        outstanding = max(Decimal(0), min(debt, cumulative - credits.until(day)))
        if not outstanding:
            break  # credits only grow: the debt stays paid
        step = min(d for d in (last + ONE_DAY, credits.next_change(day), settings.next_rate_change(day)) if d)
        accrued += outstanding * settings.rate_on(day) * (step - day).days
        day = step
    return accrued * settings.coefficient / Decimal(36500)


def penalty_unrounded(debts, credits, settings, start, end):
    """Penalty accrued from ``start`` to ``end`` (both included) on one account, unrounded.

    ``debts``: [(billing month start, amount)] sorted by month; ``credits``: [(date, amount)]. Each debt is capped:
    what it accrued before ``start`` and in the window together never exceed it.
    """
    credits = _Credits(credits)
    penalty = Decimal(0)
    cumulative = Decimal(0)
    for month, amount in debts:
        amount = Decimal(amount)
        cumulative += amount
        first = due_date(month, settings.due_day) + ONE_DAY
        if amount <= 0 or first > end:
            continue
        before = _accrue(amount, cumulative, credits, settings, first, start - ONE_DAY) if first < start \
            else Decimal(0)
        after = before + _accrue(amount, cumulative, credits, settings, max(first, start), end)
        penalty += min(amount, after) - min(amount, before)
    return penalty


def penalty(debts, credits, settings, start, end):
    """Penalty of one account over [start, end], rounded once to the tiyn."""
    return penalty_unrounded(debts, credits, settings, start, end).quantize(TIYN, rounding=ROUND_HALF_UP)
