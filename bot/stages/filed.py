"""A wish about a request already filed: withdraw it, add to it, correct it, or know it went through.

Once a request is filed the bot cannot change it: the association's officer can. So with no
form in progress, a person who has filed requests and writes "ابي الغي الطلب", "ابي اضيف معلومة
للطلب: …" or "ابي اعدل رقم جوالي في الطلب" (:mod:`bot.understanding.filed`) is acknowledged,
the request named by its reference (one request) or asked which (several), and handed to the
officer with reason ``request_change``; what they wrote is kept as a note on the request (one
request) so the officer sees it in its history, besides the transcript. Never a new form, never
"nothing to cancel". "Did my request / update go through?" shows the status instead.

Someone with no filed request here passes on: the wish is then handled as before (a form, the
command, the FAQ).
"""

from __future__ import annotations

from datetime import datetime

from bot.context import TurnContext
from bot.dates import format_date
from bot.i18n import t, tr
from bot.redact import mask_national_ids
from bot.stages.common import officer, salam_prefix, start_handoff
from bot.stages.status import show_mine
from bot.types import Text
from bot.understanding.filed import about_an_update, wish_about_filed

#: the state key where a data update's date is kept (:func:`bot.stages.forms._carry_out`)
UPDATED_AT = "profile_updated_at"
MAX_NOTE = 2000


class FiledRequestStage:
    """Withdraw / add to / correct a filed request → the officer; "did it go through?" → the status."""

    async def __call__(self, ctx: TurnContext) -> bool:
        if ctx.state.flow or ctx.message.button_value is not None or not ctx.message.text:
            return False
        if ctx.services is None or ctx.services.cases is None:
            return False
        wish = wish_about_filed(ctx.message.text)
        if wish is None:
            return False
        if wish == "check":
            return await _went_through(ctx)
        cases = await ctx.services.cases.for_beneficiary(ctx.pack.pack.slug, ctx.beneficiary_id)
        if not cases:
            return False
        ctx.state.greeted = True
        note = mask_national_ids(ctx.message.text.strip())[:MAX_NOTE]
        if len(cases) == 1:
            await ctx.services.cases.add_note(org=ctx.pack.pack.slug, case_id=cases[0].id,
                                              text=f"[{tr(f'filed.kind.{wish}', 'ar')}] {note}")
            ack = t(f"filed.{wish}", ctx.lang, reference=cases[0].reference, officer=officer(ctx))
        else:
            refs = "، ".join(c.reference for c in cases) if ctx.lang == "ar" else ", ".join(c.reference for c in cases)
            ack = t(f"filed.{wish}_several", ctx.lang, references=refs, officer=officer(ctx))
        start_handoff(ctx, "request_change", ack=salam_prefix(ctx) + ack)
        assert ctx.state.handoff is not None  # start_handoff set it
        ctx.state.handoff["note"] = note  # what they asked, for the officer who picks the conversation up
        ctx.state.handoff["wish"] = wish
        return True


async def _went_through(ctx: TurnContext) -> bool:
    """"وصل طلبي؟" / "did my update go through?": the data update's date when one was saved
    here, and the requests' status; passes on when there is neither."""
    said = False
    updated = ctx.state.extra.get(UPDATED_AT)
    if about_an_update(ctx.message.text) and isinstance(updated, str):
        try:
            day = datetime.fromisoformat(updated).date()
        except ValueError:
            day = None
        if day is not None:
            ctx.say(Text(salam_prefix(ctx) + t("filed.update_saved", ctx.lang, date=format_date(day, ctx.lang)),
                         kind="answer"))
            said = True
    if not said and await show_mine(ctx):
        said = True
    if said:
        ctx.state.greeted = True
    return said
