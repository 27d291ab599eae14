"""A review session as plain Python (no Textual): where the reviewer is, what each key
does, and what the screen should show.

`ReviewSession` owns the position (story, left and right article, left and right claim, the
active pane), the views it has loaded, and its mode's queue. Every command (mark, undo,
note, next, step, jump, swap) is an async method that returns an `Outcome`
(workbench.tui.frame): a `Frame` to render and perhaps a `Notice`. The screen maps keys to
these methods and renders frames; tests drive a session without the app, on a real
database. Reviewing and adjudicating differ only in the mode (workbench.tui.modes); which
pair comes next is the queue's rule (workbench.tui.queues).
"""

from __future__ import annotations

from workbench.display import one_line
from workbench.models import Label, Mark, pair_key
from workbench.tui.frame import (
    Frame,
    HeaderView,
    MarkEntry,
    NoteDraft,
    Notice,
    Outcome,
    PaneView,
    ScreenMessage,
    StripView,
)
from workbench.tui.model import MARKERS, ArticleDoc, ClaimMarks, Pair, PairInfo, StoryDoc, ViewData
from workbench.tui.modes import AdjudicationMode, Mode, ReviewMode
from workbench.tui.queues import Position, Target, ViewCache
from workbench.tui.state import AppState


class ReviewSession:
    """One review screen's state and commands. Build it with `review` or `adjudication`."""

    def __init__(self, state: AppState, mode: Mode, views: ViewCache, position: Position):
        self.state = state
        self.mode = mode
        self._views = views
        self._at = position  # shared with the mode, which orients its targets by it
        self._view: ViewData | None = None
        self._message: str | None = None
        # Notes: `e` right after a mark annotates that mark; `e` on an unmarked pair keeps
        # the note for the mark the reviewer then makes on it.
        self._just_marked: Pair | None = None
        self._pending_notes: dict[Pair, str] = {}
        # A search result pairs itself with the claim opposite: the strip says so until
        # the pair on screen changes.
        self._from_search: tuple[Pair, str] | None = None  # pair_key, the pane it landed in

    @classmethod
    def review(cls, state: AppState, story: str, *, resume: bool = True) -> ReviewSession:
        """Review one story (by id or name), after my latest mark in it when `resume`."""
        views, position = ViewCache(state), Position()
        mode = ReviewMode(state, views, position, story, resume=resume)
        return cls(state, mode, views, position)

    @classmethod
    def adjudication(cls, state: AppState, story: str | None = None) -> ReviewSession:
        """Decide the disagreements of one story, or of all."""
        views, position = ViewCache(state), Position()
        return cls(state, AdjudicationMode(state, position, story), views, position)

    # --- what tests and the screen read ------------------------------------------------------

    @property
    def story(self) -> StoryDoc | None:
        return self._at.story

    @property
    def view(self) -> ViewData | None:
        return self._view

    @property
    def left_index(self) -> int:
        return self._at.left

    @property
    def right_index(self) -> int:
        return self._at.right

    @property
    def left_claim(self) -> str | None:
        return self._at.left_claim

    @property
    def right_claim(self) -> str | None:
        return self._at.right_claim

    @property
    def active(self) -> str:
        return self._at.active

    @property
    def pair(self) -> Pair | None:
        """The pair on screen: what the next mark key marks."""
        return self._at.pair

    def is_done(self, pair: Pair) -> bool:
        """Marked by me (review), or decided by me (adjudication)."""
        return self.mode.is_done(pair)

    @property
    def queue_pairs(self) -> list[Pair]:
        """The pairs of the queue walked, in its order (marked ones included)."""
        return self.mode.queue_pairs()

    async def counted(self) -> None:
        """Wait until the story's per-article-pair counts are in."""
        await self.mode.counted()

    # --- opening and moving ------------------------------------------------------------------

    def _moved(self) -> None:
        """The pair on screen is about to change: what was said of the old one goes."""
        self._just_marked = None
        self._from_search = None

    async def open(self) -> Outcome:
        """The first frame: the mode's first pair, or why there is none."""
        await self.state.opened.wait()
        found = await self.mode.open()
        if isinstance(found, ScreenMessage):
            self._message = found.text
            return Outcome(self.frame(), found.notice)
        return await self._go(found)

    async def _go(self, target: Target, notice: Notice | None = None) -> Outcome:
        at = self._at
        if target.story is not None and (at.story is None or target.story != at.story.id):
            at.story = await self.state.load_story(target.story)
        at.left, at.right = target.left, target.right
        view = self._view = await self._load_view()
        if target.pair is not None:
            at.left_claim, at.right_claim = target.pair
        elif view.queue:
            at.left_claim, at.right_claim = view.queue[0]
        else:
            at.left_claim = _first(view.left)
            partner = view.partner(at.left_claim) if at.left_claim else None
            at.right_claim = partner or _first(view.right)
        return self._shown(notice=notice)

    async def show_pair(self, pair: Pair) -> Outcome:
        """Put a pair of the current story on screen."""
        self._moved()
        return await self._go(self._at.orient(pair))

    async def next_unmarked(self) -> Outcome:
        self._moved()
        if self._view is None:
            return Outcome()
        target = await self.mode.next_after(self.pair)
        if target is None:
            return Outcome(notice=Notice(self.mode.none_left))
        return await self._go(target)

    async def toggle_order(self) -> Outcome:
        """Switch the queue's order (likely contradictions first / claim by claim); the
        pair on screen stays, and the next one comes in the new order."""
        self._just_marked = None
        said = await self.mode.reorder()
        if self._at.story is not None and self._view is not None:
            self._view = await self._load_view()
        return self._shown(scroll=False, notice=Notice(said))

    async def cursor(self, delta: int) -> Outcome:
        """Move the cursor in the active pane: on the left, the right claim follows (the
        claim's first proposed partner); on the right, any claim pairs (manual pairing)."""
        self._moved()
        view, at = self._view, self._at
        if view is None:
            return Outcome()
        if at.active == "left":
            claim = view.left.step(at.left_claim, delta)
            if claim is None:
                return Outcome()
            at.left_claim = claim.id
            partner = view.partner(claim.id)
            if partner is not None:
                at.right_claim = partner
        else:
            claim = view.right.step(at.right_claim, delta)
            if claim is None:
                return Outcome()
            at.right_claim = claim.id
        return self._shown()

    async def switch_pane(self) -> Outcome:
        self._just_marked = None
        self._at.active = "right" if self._at.active == "left" else "left"
        return self._shown(scroll=False)

    async def step_article(self, delta: int) -> Outcome:
        """The next (or previous) article on the right, skipping the left one."""
        self._moved()
        at = self._at
        story = at.story
        if story is None or self._view is None:
            return Outcome()
        n = len(story.articles)
        if n < 3:
            return Outcome(notice=Notice("No other article: this story has two."))
        right = at.right
        for _ in range(n):
            right = (right + delta) % n
            if right != at.left:
                break
        at.right = right
        view = self._view = await self._load_view()
        if at.left_claim:
            at.right_claim = view.partner(at.left_claim) or _first(view.right)
        return self._shown()

    async def step_left(self, delta: int) -> Outcome:
        """The next (or previous) article on the left, skipping the right one."""
        self._moved()
        at = self._at
        story = at.story
        if story is None or self._view is None:
            return Outcome()
        n = len(story.articles)
        left = at.left
        for _ in range(n):
            left = (left + delta) % n
            if left != at.right:
                break
        if left == at.left:
            return Outcome()
        at.left = left
        view = self._view = await self._load_view()
        at.left_claim = view.queue[0][0] if view.queue else _first(view.left)
        at.right_claim = (view.partner(at.left_claim) if at.left_claim else None) or _first(
            view.right
        )
        return self._shown()

    async def swap(self) -> Outcome:
        self._just_marked = None
        at = self._at
        if self._view is None:
            return Outcome()
        at.left, at.right = at.right, at.left
        at.left_claim, at.right_claim = at.right_claim, at.left_claim
        self._view = await self._load_view()
        return self._shown()

    async def jump_to_claim(self, claim: str) -> Outcome:
        """Put a claim of the story (a search result) under the cursor: in the left pane when
        its article is there, else in the right pane (which shows its article)."""
        self._moved()
        at = self._at
        story = at.story
        if story is None or self._view is None or not story.owns(claim):
            return Outcome()
        index = story.article_index[story.claim_article[claim]]
        if index == at.left:
            at.active = "left"
            at.left_claim = claim
            at.right_claim = self._view.partner(claim) or at.right_claim
            said = "Search result on the left, with its partner on the right."
        else:
            if index != at.right:
                at.right = index
                self._view = await self._load_view()
            at.active = "right"
            at.right_claim = claim
            said = (
                "Search result on the right, paired with the claim on the left: "
                "a mark now marks this pair."
            )
        if self.pair is not None:
            self._from_search = (pair_key(*self.pair), at.active)
        return self._shown(notice=Notice(said))

    # --- marks ----------------------------------------------------------------------------

    async def mark(self, label: Label) -> Outcome:
        """Commit a mark on the pair on screen, then move to the next unmarked pair."""
        pair, view = self.pair, self._view
        if pair is None:
            return Outcome(notice=Notice("No pair to mark here.", "warning"))
        if view is None:
            return Outcome()
        if refused := self._refusal():
            return refused
        state = self.state
        note = self._pending_notes.get(pair_key(*pair))
        mark = await state.gateway.record_mark(
            pair,
            label,
            state.reviewer,
            action=self.mode.action,
            session_id=state.session_id,
            note=note,
        )
        # Committed: only now does the screen move on.
        self._from_search = None
        self._pending_notes.pop(pair_key(*pair), None)
        state.committed(mark)
        state.shown_as[mark.id] = pair
        self.mode.marked(pair, view.info(pair))
        target = await self.mode.next_after(pair)
        if target is None:
            outcome = self._shown(scroll=False, notice=Notice(self.mode.all_done, timeout=5))
        else:
            outcome = await self._go(target)
        self._just_marked = pair
        return outcome

    async def undo(self) -> Outcome:
        """Withdraw my latest mark (of this run or not) and show its pair."""
        if refused := self._refusal():
            return refused
        self._moved()
        state = self.state
        undone = await state.gateway.undo_last(state.reviewer, session_id=state.session_id)
        if undone is None:
            return Outcome(notice=Notice("Nothing to undo.", brief=True))
        state.withdrawn(undone)
        story = self._at.story
        in_story = story is not None and story.owns(undone.claim_a)
        self.mode.undone(undone, in_story=in_story)
        if not in_story:
            return self._shown(
                scroll=False,
                notice=Notice("Undid your last mark (in another story).", brief=True),
            )
        notice = Notice(self._undid(undone), brief=True)
        # as it was on screen when marked; a mark of an earlier run, as the queue shows it
        pair = (undone.claim_a, undone.claim_b)
        shown = state.shown_as.pop(undone.id, None) or self.mode.queued_as(pair)
        target = self._at.orient(shown or pair, as_given=shown is not None)
        return await self._go(target, notice)

    def _undid(self, undone: Mark) -> str:
        """What an undo did: a mark withdrawn, or a note (its label stands), or a label
        changed back."""

        def said(label: Label | None) -> str:
            return f"{MARKERS[label][0]} {label}" if label else "a mark"

        pair = (undone.claim_a, undone.claim_b)
        now = self.state.book.standing(pair, self.state.reviewer, final=self.mode.final)
        if now is None or now.label is None:
            return f"Undid {said(undone.label)}."
        if now.label != undone.label:
            return f"Undid {said(undone.label)}; {said(now.label)} stands."
        if undone.note:
            return f"Undid your note; {said(now.label)} stands."
        return f"Undid {said(undone.label)} again; the earlier {said(now.label)} stands."

    def note_draft(self) -> NoteDraft | Outcome | None:
        """What a note starts from: the pair just marked (`e` right after a mark), else the
        pair on screen, marked or not (a note on an unmarked pair is kept for its mark).
        None when there is no pair."""
        pair = self._just_marked or self.pair
        if pair is None:
            return None
        if refused := self._refusal():
            return refused
        book, me, final = self.state.book, self.state.reviewer, self.mode.final
        standing = book.standing(pair, me, final=final)
        label = standing.label if standing is not None else None
        existing = book.note(pair, me, final=final) or self._pending_notes.get(pair_key(*pair), "")
        just_marked = self._just_marked is not None
        return NoteDraft(pair, label, existing, just_marked, self._note_heading(pair, label))

    def _note_heading(self, pair: Pair, label: Label | None) -> str:
        """Which pair a note goes to: the one just marked (quoted, as it is off screen by
        then), else the one on screen, marked or waiting for its mark."""
        said = f" ({MARKERS[label][0]} {label})" if label else ""
        if self._just_marked is None:
            return f"Note on this pair{said}" if label else "Note on this pair, kept for your mark"
        story = self._at.story
        quotes = ""
        if story is not None and all(story.owns(c) for c in pair):
            texts = [story.doc(story.claim_article[c]).claim(c).text for c in pair]
            quotes = "\n" + " ~ ".join(f"“{one_line(t, 60)}”" for t in texts)
        return f"Note on the pair you just marked{said}{quotes}"

    async def save_note(self, draft: NoteDraft, text: str) -> Outcome:
        """Store a note with the standing label, as a new mark row; on a pair not marked
        yet, keep it for the mark."""
        text = text.strip()
        if text == draft.existing.strip():
            return Outcome()
        if draft.label is None:
            key = pair_key(*draft.pair)
            if text:
                self._pending_notes[key] = text
            else:
                self._pending_notes.pop(key, None)
            return self._shown(
                scroll=False, notice=Notice("Note kept: it is saved with your mark on this pair.")
            )
        state = self.state
        mark = await state.gateway.record_mark(
            draft.pair,
            draft.label,
            state.reviewer,
            note=text or None,
            action=self.mode.action,
            session_id=state.session_id,
        )
        state.noted(mark)
        said = "Note saved on the pair you just marked." if draft.just_marked else "Note saved."
        return self._shown(scroll=False, notice=Notice(said))

    async def marks_changed(self, *, mine_elsewhere: bool) -> Outcome:
        """Other processes' marks arrived (mine among them when `mine_elsewhere`)."""
        await self.mode.marks_changed(mine_elsewhere=mine_elsewhere)
        return self._shown(scroll=False)

    def focused(self) -> tuple[ArticleDoc, int, tuple[int, int] | None] | None:
        """The article in the active pane, the line of its current claim (1-based) and the
        claim's offsets in the article (None when no claim is current)."""
        view = self._view
        if view is None:
            return None
        left = self._at.active == "left"
        doc = view.left if left else view.right
        claim_id = self._at.left_claim if left else self._at.right_claim
        if not claim_id:
            return doc, 1, None
        claim = doc.claim(claim_id)
        return doc, doc.line_of(claim.start), (claim.start, claim.end)

    async def _load_view(self) -> ViewData:
        at = self._at
        assert at.story is not None
        return await self._views.get(at.story, at.left, at.right)

    def _refusal(self) -> Outcome | None:
        why = self.state.refusal()
        return Outcome(notice=Notice(why, "warning")) if why else None

    # --- what to show ----------------------------------------------------------------------

    def _shown(self, *, scroll: bool = True, notice: Notice | None = None) -> Outcome:
        if self._view is None and self._message is None:
            return Outcome(notice=notice)
        return Outcome(self.frame(), notice, scroll)

    def header(self) -> HeaderView:
        state, story = self.state, self._at.story
        return HeaderView(
            title=self.mode.title,
            role=self.mode.role,
            reviewer=state.reviewer,
            readonly=state.readonly,
            story=story.name if story else None,
            articles=len(story.articles) if story else 0,
            progress=self.mode.progress(),
            session_marks=state.session.marks,
            pace=state.session.pace(state.clock()),
        )

    def frame(self) -> Frame:
        """Everything the screen shows now."""
        view, story, at = self._view, self._at.story, self._at
        if self._message is not None or view is None or story is None:
            return Frame(self.header(), message=self._message)
        pair = self.pair
        info = view.info(pair) if pair else None
        left_spans: list[tuple[int, int]] = []
        right_spans: list[tuple[int, int]] = []
        if info is not None and at.left_claim and at.right_claim:
            lc, rc = view.left.claim(at.left_claim), view.right.claim(at.right_claim)
            for hint in info.hints:
                if hint.a_span:
                    left_spans.append((lc.start + hint.a_span[0], lc.start + hint.a_span[1]))
                if hint.b_span:
                    right_spans.append((rc.start + hint.b_span[0], rc.start + hint.b_span[1]))
        left_markers, right_markers = self._markers(view)
        return Frame(
            self.header(),
            articles=len(story.articles),
            left=PaneView(
                view.left,
                at.left,
                at.left_claim,
                tuple(left_spans),
                left_markers,
                at.active == "left",
            ),
            right=PaneView(
                view.right,
                at.right,
                at.right_claim,
                tuple(right_spans),
                right_markers,
                at.active == "right",
            ),
            pair=pair,
            strip=self._strip(view, pair, info) if pair else None,
        )

    def _markers(self, view: ViewData) -> tuple[dict[str, ClaimMarks], dict[str, ClaimMarks]]:
        """Beside each claim on screen, a marker for every pair of it that has a mark,
        whatever article the other claim is in (the mode says which marker a pair gets)."""
        book = self.state.book

        def of(doc: ArticleDoc) -> dict[str, ClaimMarks]:
            out: dict[str, ClaimMarks] = {}
            for claim in doc.claims:
                pairs = book.pairs_of(claim.id)
                if not pairs:
                    continue
                found = [m for p in sorted(pairs) if (m := self.mode.marker(book, p)) is not None]
                if found:
                    out[claim.id] = ClaimMarks(tuple(found))
            return out

        return of(view.left), of(view.right)

    def _strip(self, view: ViewData, pair: Pair, info: PairInfo | None) -> StripView:
        position, bold = self.mode.position_text(view, pair, info)
        searched = self._from_search
        if bold and searched is not None and searched[0] == pair_key(*pair):
            # Not a queue pair: say that the search made it, before a key marks it.
            if searched[1] == "right":
                position = "manual pair: the search result with the left claim"
            else:
                position = f"from search · {position}"
        return StripView(
            position=position,
            position_bold=bold,
            info=info,
            entries=self._entries(pair),
            prompt=self.mode.prompts,
        )

    def _entries(self, pair: Pair) -> tuple[MarkEntry, ...]:
        book = self.state.book
        entries = [
            MarkEntry(self.mode.who(name), mark.label, book.note(pair, name), False)
            for name, mark in book.reviewers(pair).items()
            if mark.label is not None
        ]
        entries += [
            MarkEntry(name, mark.label, book.note(pair, name, final=True), True)
            for name, mark in book.reviewers(pair, final=True).items()
            if mark.label is not None
        ]
        return tuple(entries)


def _first(doc: ArticleDoc) -> str | None:
    claim = doc.step(None, 1)
    return claim.id if claim else None
