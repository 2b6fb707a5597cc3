"""Notes wiki: search and list, read, edit (with conflict merge), history, create, trash.

Stable URLs: /notes (list), /notes?id=N (a page), /notes?title=T (a [[link]]),
/notes?new=1[&customer=N][&template=K] (create), /notes?trash=1 (trash).
Everything the user typed in an editor lives in session state until it is saved, so a
conflict or an error never throws text away.
"""

from __future__ import annotations

import streamlit as st

from ckm.models import KnowledgeFlow, Role
from ckm.services import customers, notes
from ckm.services.errors import CKMError, NotFound
from ckm.services.markdown import escape, mention, safe_markdown
from ckm.services.notes import NoteFilters, SaveResult
from ckm.ui.i18n import day, moment, number, show_error, t
from ckm.ui.notes_view import NOTES_PAGE, PROFILE_PAGE, note_link, show_rows
from ckm.ui.resources import get_settings, get_store
from ckm.ui.session import enter_page
from ckm.ui.writes import write

PAGE_SIZE = 20
FLOWS = [flow.value for flow in KnowledgeFlow]
ANY = ""

user = enter_page()
actor = user.actor
store = get_store()
can_edit = actor.can(Role.EDITOR)
params = st.query_params

notice = st.session_state.pop("ckm_notes_notice", None)
if notice:
    st.success(notice)


def _go(notice_key: str | None = None, **query: str) -> None:
    """Show another view of this page (by its URL) after an action."""
    if notice_key:
        st.session_state["ckm_notes_notice"] = t(notice_key)
    st.query_params.clear()
    for key, value in query.items():
        st.query_params[key] = value
    st.rerun()


def _state_prefix(note_id: int | str) -> str:
    return f"ckm_note_{note_id}_"


def _forget(prefix: str) -> None:
    for key in [key for key in st.session_state if str(key).startswith(prefix)]:
        del st.session_state[key]


def _customer_picker(prefix: str, body_key: str) -> None:
    """Find a customer by anything; link it, or insert an @-mention into the text."""
    query = st.text_input(t("notes.find_customer"), key=f"{prefix}customer_query")
    if not query.strip():
        return
    with store.read() as session:
        found = customers.list_customers(session, actor=actor, query=query, limit=10)
    if not found.rows:
        st.caption(t("notes.no_customer_found"))
        return
    names = {row.id: row.name for row in found.rows}
    chosen = st.selectbox(
        t("notes.customer"), list(names), format_func=lambda v: names[v], key=f"{prefix}pick"
    )

    def link() -> None:
        linked = st.session_state.setdefault(f"{prefix}customers", [])
        if chosen not in linked:
            st.session_state[f"{prefix}customers"] = [*linked, chosen]
            st.session_state[f"{prefix}customer_names"] = {
                **st.session_state.get(f"{prefix}customer_names", {}),
                chosen: names[chosen],
            }

    def insert_mention() -> None:
        text = st.session_state.get(body_key, "")
        separator = "" if not text or text.endswith((" ", "\n")) else " "
        st.session_state[body_key] = f"{text}{separator}{mention(names[chosen], chosen)} "
        link()

    left, right = st.columns(2)
    left.button(t("notes.link_customer"), key=f"{prefix}link", on_click=link)
    right.button(t("notes.insert_mention"), key=f"{prefix}mention", on_click=insert_mention)


def _editor(prefix: str, *, with_picker: bool = True) -> None:
    """Title, body, flow, tags and linked customers, all kept in session state."""
    st.text_input(t("notes.field.title"), key=f"{prefix}title", max_chars=notes.MAX_TITLE)
    st.text_area(t("notes.field.body"), key=f"{prefix}body", height=320, help=t("notes.syntax"))
    flow_col, tags_col = st.columns(2)
    flow_col.selectbox(
        t("notes.field.flow"), FLOWS, key=f"{prefix}flow", format_func=lambda v: t(f"flow.{v}")
    )
    tags_col.text_input(t("notes.field.tags"), key=f"{prefix}tags", help=t("notes.tags_help"))
    names: dict[int, str] = st.session_state.setdefault(f"{prefix}customer_names", {})
    st.multiselect(
        t("notes.field.customers"),
        list(names),
        key=f"{prefix}customers",
        format_func=lambda v: names.get(v, str(v)),
    )
    if with_picker:
        _customer_picker(prefix, f"{prefix}body")


def _draft_values(prefix: str) -> dict[str, object]:
    state = st.session_state
    return {
        "title": state.get(f"{prefix}title", ""),
        "body": state.get(f"{prefix}body", ""),
        "flow": state.get(f"{prefix}flow", KnowledgeFlow.GENERAL.value),
        "tags": state.get(f"{prefix}tags", ""),
        "customer_ids": list(state.get(f"{prefix}customers", [])),
    }


# --------------------------------------------------------------------------- views


def list_view() -> None:
    st.title(t("notes.title"))
    with store.read() as session:
        behind = notes.index_is_behind(session)
    if behind:
        # Pages loaded in bulk (demo data, imports) reach the search index on first sight.
        with store.write() as session:
            notes.catch_up_index(session)
    top = st.columns([3, 1, 1])
    query = top[0].text_input(
        t("notes.search_label"), placeholder=t("notes.search_placeholder"), key="ckm_notes_query"
    )
    if can_edit and top[1].button(t("notes.new"), icon=":material/add:", key="ckm_notes_new"):
        _go(new="1")
    top[2].page_link(
        NOTES_PAGE, label=t("notes.trash"), icon=":material/delete:", query_params={"trash": "1"}
    )
    with store.read() as session:
        options = notes.filter_options(session, actor=actor)
    raw_customer = params.get("customer", "")
    customer_id = int(raw_customer) if raw_customer.isdigit() else None
    with st.expander(t("notes.filters"), expanded=customer_id is not None):
        first, second, third = st.columns(3)
        tag = first.selectbox(
            t("notes.field.tags"),
            [ANY, *options.tags],
            format_func=lambda v: v or t("notes.any"),
            key="ckm_notes_tag",
        )
        flow = second.selectbox(
            t("notes.field.flow"),
            [ANY, *FLOWS],
            format_func=lambda v: t(f"flow.{v}") if v else t("notes.any"),
            key="ckm_notes_flow",
        )
        authors = dict(options.authors)
        author = third.selectbox(
            t("notes.author"),
            [ANY, *authors],
            format_func=lambda v: authors.get(v, t("notes.any")),
            key="ckm_notes_author",
        )
        stale = first.checkbox(t("notes.only_stale"), key="ckm_notes_stale")
        if customer_id is not None:
            second.caption(t("notes.filtered_by_customer", id=customer_id))
    page_number = st.number_input(
        t("notes.page"), min_value=1, value=1, step=1, key="ckm_notes_page"
    )
    filters = NoteFilters(
        tag=tag or None,
        flow=flow or None,
        author=author or None,
        customer_id=customer_id,
        stale=stale,
    )
    with store.read() as session:
        result = notes.list_notes(
            session,
            actor=actor,
            query=query,
            filters=filters,
            limit=PAGE_SIZE,
            offset=(int(page_number) - 1) * PAGE_SIZE,
        )
    if result.total == 0:
        st.info(t("notes.empty_query", query=query) if query.strip() else t("notes.empty"))
        return
    key = "notes.count_capped" if result.total_is_capped else "notes.count"
    st.caption(t(key, count=result.total))
    show_rows(result.rows, with_snippets=bool(query.strip()))


def title_view(title: str) -> None:
    with store.read() as session:
        found = notes.find_by_title(session, actor=actor, title=title)
    if len(found) == 1:
        _go(id=str(found[0].id))
    st.title(escape(title))
    if not found:
        st.info(t("notes.no_such_page"))
        if can_edit and st.button(t("notes.create_this_page"), type="primary"):
            # Prefill the new page's title field (its widget key) with the missing title.
            st.session_state["ckm_note_new_title"] = title
            _go(new="1")
        return
    st.caption(t("notes.several_pages"))
    for page in found:
        note_link(page.id, page.title)


def create_view() -> None:
    st.title(t("notes.new_title"))
    if not can_edit:
        st.warning(t("notes.read_only"))
        return
    prefix = "ckm_note_new_"
    raw_customer = params.get("customer", "")
    if f"{prefix}started" not in st.session_state:
        st.session_state[f"{prefix}started"] = True
        st.session_state.setdefault(f"{prefix}flow", KnowledgeFlow.GENERAL.value)
        if raw_customer.isdigit():
            st.session_state[f"{prefix}flow"] = KnowledgeFlow.ABOUT.value
        template_key = params.get("template", "")
        if template_key:
            _apply_template(prefix, template_key)

    if raw_customer.isdigit() and int(raw_customer) not in st.session_state.get(
        f"{prefix}customers", []
    ):
        # From a customer profile: the new page starts linked to that customer.
        try:
            with store.read() as session:
                profile = customers.get_profile(session, actor=actor, customer_id=int(raw_customer))
        except NotFound as missing:
            show_error(missing)
        else:
            names = st.session_state.setdefault(f"{prefix}customer_names", {})
            names[profile.id] = profile.name
            linked = st.session_state.get(f"{prefix}customers", [])
            st.session_state[f"{prefix}customers"] = [*linked, profile.id]
    keys = [ANY, *(template.key for template in notes.TEMPLATES)]
    st.selectbox(
        t("notes.template"),
        keys,
        key=f"{prefix}template",
        format_func=lambda v: t(f"notes.template.{v}.title") if v else t("notes.blank"),
        on_change=lambda: _apply_template(prefix, st.session_state[f"{prefix}template"]),
    )
    _editor(prefix)
    save_col, cancel_col = st.columns(2)
    if save_col.button(t("notes.create"), type="primary", key=f"{prefix}save"):
        try:
            with store.write() as session:
                note_id = notes.create_note(session, actor=actor, **_draft_values(prefix))  # type: ignore[arg-type]
        except CKMError as problem:
            show_error(problem)
        else:
            _forget(prefix)
            _go("notes.created", id=str(note_id))
    if cancel_col.button(t("notes.cancel"), key=f"{prefix}cancel"):
        _forget(prefix)
        _go()


def _apply_template(prefix: str, key: str) -> None:
    """Fill the editor from a template, keeping a title the user already typed."""
    try:
        chosen = notes.template(key)
    except NotFound:
        return
    state = st.session_state
    state[f"{prefix}template"] = key
    if not state.get(f"{prefix}title"):
        state[f"{prefix}title"] = t(chosen.title_key)
    body = state.get(f"{prefix}body", "")
    template_body = t(chosen.body_key)
    # Never replace what was typed: the template goes after it.
    state[f"{prefix}body"] = f"{body}\n\n{template_body}" if body.strip() else template_body
    if not state.get(f"{prefix}tags"):
        state[f"{prefix}tags"] = ", ".join(chosen.tags)
    if state.get(f"{prefix}flow") in (None, KnowledgeFlow.GENERAL.value):
        state[f"{prefix}flow"] = chosen.flow


def note_view(note_id: int) -> None:
    try:
        with store.read() as session:
            view = notes.get_note(session, actor=actor, note_id=note_id)
    except NotFound as missing:
        show_error(missing)
        st.page_link(NOTES_PAGE, label=t("notes.back"), icon=":material/arrow_back:")
        return
    prefix = _state_prefix(note_id)
    st.page_link(NOTES_PAGE, label=t("notes.back"), icon=":material/arrow_back:")
    st.title(escape(view.title))
    meta = [
        t(f"flow.{view.flow}"),
        t(
            "notes.written_by",
            name=escape(view.author_name or view.author or "—"),
            when=moment(view.created_at),
        ),
        t("notes.revision_line", revision=view.revision, when=moment(view.updated_at)),
    ]
    st.caption(" · ".join(meta))
    if view.tags:
        st.caption(t("notes.tags_line", tags=escape(", ".join(view.tags))))

    conflict = st.session_state.get(f"{prefix}conflict")
    read_label, edit_label, history_label = (
        t("notes.tab.read"),
        t("notes.tab.edit"),
        t("notes.tab.history"),
    )
    labels = [read_label, edit_label, history_label] if can_edit else [read_label, history_label]
    tabs = dict(zip(labels, st.tabs(labels), strict=True))
    with tabs[read_label]:
        _read(view)
    if can_edit:
        with tabs[edit_label]:
            if conflict is not None:
                _conflict_view(view, prefix, conflict)
            else:
                _edit(view, prefix)
    with tabs[history_label]:
        _history(view)


def _read(view: notes.NoteView) -> None:
    if view.is_stale:
        st.warning(t("notes.stale", days=notes.STALE_AFTER_DAYS))
    verified = (
        t(
            "notes.last_verified",
            date=day(view.last_verified_at),
            name=escape(view.last_verified_by or "—"),
        )
        if view.last_verified_at
        else t("notes.never_verified")
    )
    verify_col, delete_col = st.columns([3, 1])
    verify_col.caption(verified)
    if can_edit and verify_col.button(
        t("notes.verify"), icon=":material/verified:", key=f"verify_{view.id}"
    ):
        if write(lambda session: notes.verify_note(session, actor=actor, note_id=view.id)):
            _go("notes.verified", id=str(view.id))
    st.divider()
    if view.body:
        st.markdown(safe_markdown(view.body, external_ids=view.external_ids))
    else:
        st.caption(t("notes.empty_body"))
    st.divider()
    st.subheader(t("notes.linked_customers"))
    if not view.customers:
        st.caption(t("notes.no_linked_customers"))
    for customer in view.customers:
        st.page_link(
            PROFILE_PAGE,
            label=escape(customer.name),
            icon=":material/person:",
            query_params={"id": str(customer.id)},
        )
    st.subheader(t("notes.backlinks"))
    if not view.backlinks:
        st.caption(t("notes.no_backlinks"))
    for page in view.backlinks:
        note_link(page.id, page.title, icon=":material/link:")
    if can_edit and delete_col.button(
        t("notes.delete"), icon=":material/delete:", key=f"delete_{view.id}"
    ):
        if write(lambda session: notes.delete_note(session, actor=actor, note_id=view.id)):
            _forget(_state_prefix(view.id))
            _go("notes.trashed")


def _start_editing(view: notes.NoteView, prefix: str) -> None:
    state = st.session_state
    if f"{prefix}base" in state:
        return
    state[f"{prefix}base"] = view.revision
    state[f"{prefix}title"] = view.title
    state[f"{prefix}body"] = view.body
    state[f"{prefix}flow"] = view.flow
    state[f"{prefix}tags"] = ", ".join(view.tags)
    state[f"{prefix}customers"] = [c.id for c in view.customers]
    state[f"{prefix}customer_names"] = {c.id: c.name for c in view.customers}


def _after_save(result: SaveResult, prefix: str) -> None:
    if result.saved:
        _forget(prefix)
        _go("notes.saved", id=str(result.note_id))
    # Someone saved in between: keep everything typed and show both versions.
    st.session_state[f"{prefix}conflict"] = result.conflict
    st.rerun()


def _edit(view: notes.NoteView, prefix: str) -> None:
    _start_editing(view, prefix)
    base = st.session_state[f"{prefix}base"]
    if base != view.revision:
        st.info(t("notes.changed_since", revision=view.revision))
    _editor(prefix)
    save_col, cancel_col = st.columns(2)
    if save_col.button(t("notes.save"), type="primary", key=f"{prefix}save"):
        try:
            with store.write() as session:
                result = notes.save_note(
                    session,
                    actor=actor,
                    note_id=view.id,
                    base_revision=base,
                    **_draft_values(prefix),  # type: ignore[arg-type]
                )
        except CKMError as problem:
            show_error(problem)
        else:
            _after_save(result, prefix)
    if cancel_col.button(t("notes.discard"), key=f"{prefix}cancel"):
        _forget(prefix)
        st.rerun()


def _conflict_view(view: notes.NoteView, prefix: str, conflict: notes.Conflict) -> None:
    st.error(
        t(
            "notes.conflict",
            name=escape(conflict.current.author or "—"),
            revision=conflict.current.revision,
            when=moment(conflict.current.created_at),
        )
    )
    theirs_col, mine_col = st.columns(2)
    with theirs_col:
        st.subheader(t("notes.conflict_theirs"))
        st.code(conflict.current.body or " ", language=None, wrap_lines=True)
    with mine_col:
        st.subheader(t("notes.conflict_mine"))
        st.code(conflict.mine.body or " ", language=None, wrap_lines=True)
    st.subheader(t("notes.conflict_diff"))
    st.code(conflict.diff or t("notes.no_difference"), language="diff")
    merge_key = f"{prefix}merge"
    st.session_state.setdefault(merge_key, conflict.mine.body)
    st.text_area(t("notes.conflict_merge"), key=merge_key, height=320)
    save_col, theirs_col2 = st.columns(2)
    if save_col.button(t("notes.save_merged"), type="primary", key=f"{prefix}save_merged"):
        mine = conflict.mine
        try:
            with store.write() as session:
                result = notes.save_note(
                    session,
                    actor=actor,
                    note_id=view.id,
                    base_revision=conflict.current.revision,
                    title=mine.title,
                    body=st.session_state[merge_key],
                    flow=mine.flow,
                    tags=mine.tags,
                    customer_ids=mine.customer_ids,
                )
        except CKMError as problem:
            show_error(problem)
        else:
            if not result.saved:
                # Yet another save came in; the merge text is kept as "mine" again.
                st.session_state[f"{prefix}conflict"] = result.conflict
                st.session_state[merge_key] = st.session_state[merge_key]
                st.rerun()
            _after_save(result, prefix)
    if theirs_col2.button(t("notes.take_theirs"), key=f"{prefix}take_theirs"):
        _forget(prefix)
        st.rerun()


def _history(view: notes.NoteView) -> None:
    with store.read() as session:
        revisions = notes.history(session, actor=actor, note_id=view.id)
    for info in revisions:
        st.caption(
            t(
                "notes.history_line",
                revision=info.revision,
                name=escape(info.author_name or info.author or "—"),
                when=moment(info.created_at),
                chars=number(info.chars),
            )
        )
    numbers = [info.revision for info in revisions]
    if len(numbers) < 2:
        st.caption(t("notes.single_revision"))
        return
    old_col, new_col = st.columns(2)
    old = old_col.selectbox(
        t("notes.diff_from"),
        numbers,
        index=1,
        key=f"diff_old_{view.id}",
        format_func=lambda v: t("notes.revision_label", revision=v),
    )
    new = new_col.selectbox(
        t("notes.diff_to"),
        numbers,
        index=0,
        key=f"diff_new_{view.id}",
        format_func=lambda v: t("notes.revision_label", revision=v),
    )
    with store.read() as session:
        diff = notes.diff_revisions(session, actor=actor, note_id=view.id, old=old, new=new)
    st.code(diff or t("notes.no_difference"), language="diff")
    if not can_edit:
        return
    restore = st.selectbox(
        t("notes.restore_which"),
        numbers[1:],
        key=f"restore_{view.id}",
        format_func=lambda v: t("notes.revision_label", revision=v),
    )
    if st.button(t("notes.restore"), icon=":material/history:", key=f"restore_btn_{view.id}"):
        try:
            with store.write() as session:
                result = notes.restore_revision(
                    session,
                    actor=actor,
                    note_id=view.id,
                    revision=restore,
                    base_revision=view.revision,
                )
        except CKMError as problem:
            show_error(problem)
        else:
            if result.saved:
                _forget(_state_prefix(view.id))
                _go("notes.restored", id=str(view.id))
            st.warning(t("notes.restore_conflict"))


def trash_view() -> None:
    st.page_link(NOTES_PAGE, label=t("notes.back"), icon=":material/arrow_back:")
    st.title(t("notes.trash"))
    retention = get_settings().trash_retention_days
    # Housekeeping on the way in: whatever is past the retention period goes now.
    with store.write() as session:
        notes.purge_expired(session, retention_days=retention)
    with store.read() as session:
        trashed = notes.list_trash(session, actor=actor, retention_days=retention)
    st.caption(t("notes.trash_intro", days=retention))
    if not trashed:
        st.info(t("notes.trash_empty"))
        return
    is_admin = actor.can(Role.ADMIN)
    for item in trashed:
        text_col, restore_col, purge_col = st.columns([4, 1, 1])
        text_col.write(escape(item.title))
        text_col.caption(
            t(
                "notes.trashed_line",
                name=escape(item.deleted_by or "—"),
                when=moment(item.deleted_at),
                purge=day(item.purge_after),
            )
        )
        if can_edit and restore_col.button(t("notes.restore_page"), key=f"untrash_{item.id}"):
            if write(
                lambda session, i=item.id: notes.restore_note(session, actor=actor, note_id=i)
            ):
                _go("notes.untrashed", id=str(item.id))
        if is_admin and purge_col.button(t("notes.purge"), key=f"purge_{item.id}"):
            if write(
                lambda session, i=item.id: notes.purge_trash(
                    session, actor=actor, older_than_days=0, note_ids=[i]
                )
            ):
                _go("notes.purged", trash="1")
    if is_admin and st.button(t("notes.purge_all"), type="primary", key="purge_all"):
        if write(lambda session: notes.purge_trash(session, actor=actor, older_than_days=0)):
            _go("notes.purged", trash="1")


# --------------------------------------------------------------------------- routing

raw_id = params.get("id", "")
if raw_id.isdigit():
    note_view(int(raw_id))
elif params.get("trash"):
    trash_view()
elif params.get("new"):
    create_view()
elif params.get("title"):
    title_view(params.get("title", ""))
else:
    list_view()
