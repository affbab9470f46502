"""Plain-Python helpers of the add-on (no ORM)."""
