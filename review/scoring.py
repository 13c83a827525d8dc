"""The scoring rules of city expert review, in one place (used by the transitions and the reports)."""

from decimal import ROUND_HALF_UP, Decimal

TWO = Decimal("0.01")


def final_score(totals: list[Decimal]) -> Decimal:
    """Mean of two scores; with three, the mean of the two closest (ties: the higher pair)."""
    totals = sorted(Decimal(t) for t in totals)
    if len(totals) == 2:
        pair = totals
    elif len(totals) == 3:
        low_gap, high_gap = totals[1] - totals[0], totals[2] - totals[1]
        pair = totals[:2] if low_gap < high_gap else totals[1:]
    else:
        raise ValueError("final score needs two or three expert totals")
    return ((pair[0] + pair[1]) / 2).quantize(TWO, rounding=ROUND_HALF_UP)


def counted_reviews(reviews: list) -> list:
    """The submitted reviews whose totals make the final score (the two closest of three)."""
    if len(reviews) != 3:
        return list(reviews)
    ordered = sorted(reviews, key=lambda r: r.total)
    low_gap, high_gap = ordered[1].total - ordered[0].total, ordered[2].total - ordered[1].total
    return ordered[:2] if low_gap < high_gap else ordered[1:]
