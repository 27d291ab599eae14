"""The review queue's rule, in one place: which candidate pairs a reviewer is shown, and in
what order. Pure core: the store selects rows with `workbench.store.proposed`, the app and
`workbench queue` order them with `order_queue`.
"""

from __future__ import annotations

# A pair is proposed when one claim is the other's best candidate in that article with a
# score of at least this (`--min-score`), ...
DEFAULT_MIN_SCORE = 40.0
# ... or when the two likely state one fact differently, whatever their score (0-100).
STRONG_DISCREPANCY = 50.0
