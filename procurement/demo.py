"""Demo tenders in every state, made through the real services with the clock set in the past.

Re-runnable: a tender is skipped when its buyer already has one of that title.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session

from core.clock import FrozenClock
from core.db import stored_id
from core.settings import Settings
from procurement.awards import service as awarding
from procurement.awards.schemas import AwardIn
from procurement.bids import opening
from procurement.bids import service as bidding
from procurement.bids.models import Supplier
from procurement.bids.schemas import BidIn, PriceIn, SupplierIn
from procurement.contracts.schemas import ContractIn
from procurement.demo_parts import (
    DAY,
    HOUR,
    bid,
    demo_user,
    exists,
    lotted_tender,
    make_draft,
    publish,
)
from procurement.tenders import amendments, questions
from procurement.tenders import service as tender_service
from procurement.tenders.schemas import AmendmentIn, ReserveIn

SUPPLIERS = {
    "bids@siam-civil.example": (
        "88 Vibhavadi Rangsit Road, Chatuchak, Bangkok 10900",
        "Wichai Thongdee",
        "+66 2 555 0101",
    ),
    "bids@chaophraya-it.example": (
        "1 Silom Road, Bang Rak, Bangkok 10500",
        "Ploy Chaiyaporn",
        "+66 2 555 0102",
    ),
    "bids@lanna-medical.example": (
        "45 Huay Kaew Road, Mueang, Chiang Mai 50200",
        "Anong Kaewmanee",
        "+66 53 555 010",
    ),
    "bids@andaman-build.example": (
        "12 Thepkrasattri Road, Mueang, Phuket 83000",
        "Surachai Meechai",
        "+66 76 555 010",
    ),
}


def load(session: Session, *, now: datetime, settings: Settings) -> int:
    """Create the demo tenders that are missing; returns how many were made."""
    now = now.replace(second=0, microsecond=0)
    for email, (address, contact, phone) in SUPPLIERS.items():
        user = demo_user(session, email)
        details = SupplierIn(
            address=address, contact_name=contact, contact_email=email, contact_phone=phone
        )
        if session.get(Supplier, user.organisation_id) is None:
            bidding.register_supplier(session, user=user, details=details, now=now)
    bma, moph, doh = (demo_user(session, f"buyer@{b}.example") for b in ("bma", "moph", "doh"))
    made = 0

    title = "LED street lighting retrofit, Rattanakosin Island (ปรับปรุงไฟถนน LED เกาะรัตนโกสินทร์)"
    if not exists(session, bma, title):
        tender_service.create_draft(
            session,
            buyer=bma,
            now=now,
            draft=make_draft(
                title,
                "Replacement of 1,450 sodium street lamps with LED luminaires and a "
                "remote dimming system on the roads of Rattanakosin Island.",
                "works",
                38_500_000,
                [
                    ("LED luminaire 120 W with driver", "1450", "unit"),
                    ("Remote dimming controller", "60", "unit"),
                ],
                start=now + DAY,
                days=21,
            ),
        )
        made += 1

    title = "Electric hospital beds for 12 provincial hospitals (เตียงผู้ป่วยไฟฟ้า)"
    if not exists(session, moph, title):
        tender = publish(
            session,
            settings,
            moph,
            make_draft(
                title,
                "Supply, delivery and installation of 360 three-function electric hospital "
                "beds with mattresses and side rails, to 12 provincial hospitals.",
                "goods",
                25_200_000,
                [
                    ("Electric hospital bed, 3 functions", "360", "bed"),
                    ("Pressure-relief mattress", "360", "unit"),
                ],
                start=now - 3 * DAY,
                days=12,
            ),
            at=now - 3 * DAY,
        )
        asked = questions.ask_question(
            session,
            supplier=demo_user(session, "bids@lanna-medical.example"),
            tender_id=stored_id(tender),
            now=now - 2 * DAY,
            question="May bidders offer beds with a 5-year warranty instead of 3 years?",
            settings=settings,
        )
        questions.answer_question(
            session,
            buyer=moph,
            clarification_id=stored_id(asked),
            now=now - DAY,
            settings=settings,
            answer="Yes. A longer warranty is welcome; the minimum remains 3 years.",
        )
        amendments.amend(
            session,
            buyer=moph,
            tender_id=stored_id(tender),
            now=now - DAY,
            settings=settings,
            amendment=AmendmentIn(
                rationale="Two more hospitals joined the order: the deadline is "
                "extended to give bidders time to price the extra deliveries.",
                tender_end_at=tender.tender_end_at + 2 * DAY,
                opening_at=tender.opening_at + 2 * DAY,
            ),
        )
        made += 1

    title = "Asphalt resurfacing of Highway 35 (Rama II Road), km 12–18"
    if not exists(session, doh, title):
        tender = publish(
            session,
            settings,
            doh,
            make_draft(
                title,
                "Milling and asphalt concrete overlay of 6 km of four-lane highway, with "
                "road markings and drainage repairs.",
                "works",
                96_000_000,
                [
                    ("Asphalt concrete overlay, 5 cm", "84000", "m2"),
                    ("Thermoplastic road marking", "9600", "m2"),
                ],
                start=now - 5 * DAY,
                days=9,
            ),
            at=now - 5 * DAY,
        )
        bid(session, settings, "bids@siam-civil.example", tender, 91_750_000, at=now - 2 * DAY)
        bid(session, settings, "bids@andaman-build.example", tender, 93_400_000, at=now - DAY)
        made += 1

    title = "Flood pump maintenance, Bangkok canal stations (บำรุงรักษาเครื่องสูบน้ำ)"
    if not exists(session, bma, title):
        publish(
            session,
            settings,
            bma,
            make_draft(
                title,
                "Annual maintenance of 48 flood pumps at 16 canal pumping stations, "
                "with 24-hour call-out during the rainy season.",
                "services",
                14_800_000,
                [("Pump station maintenance, annual", "16", "station")],
                start=now - DAY,
                days=21,  # long enough for Cardinal R003 (15 days): a tender no flag is raised on
            ),
            at=now - DAY,
        )
        made += 1

    title = "School furniture for 30 BMA schools (multiple reserve prices)"
    if not exists(session, bma, title):
        draft = make_draft(
            title,
            "Desks and chairs for 30 BMA primary schools. The reserve price is drawn "
            "KONEPS-style: 15 candidates around the base amount, two picks per bidder.",
            "goods",
            9_600_000,
            [("Student desk and chair set", "4800", "set")],
            start=now - DAY,
            days=12,
        )
        draft.reserve = ReserveIn(base_amount=9_600_000 * 100, range_bp=200, floor_rate_bp=8_775)
        tender = publish(session, settings, bma, draft, at=now - DAY)
        for email, baht, picks in (
            ("bids@siam-civil.example", 9_180_000, [3, 11]),
            ("bids@andaman-build.example", 9_420_000, [7, 11]),
        ):
            bidding.submit_bid(
                session,
                user=demo_user(session, email),
                tender_id=stored_id(tender),
                settings=settings,
                clock=FrozenClock(now - HOUR),
                bid=BidIn(
                    price=PriceIn(amount=baht * 100, currency="THB"),
                    declaration=True,
                    reserve_picks=picks,
                ),
            )
        made += 1

    title = "CCTV cameras for Phra Nakhon district (ระบบกล้องวงจรปิด เขตพระนคร)"
    if not exists(session, bma, title):
        tender = publish(
            session,
            settings,
            bma,
            make_draft(
                title,
                "Supply and installation of 240 4K CCTV cameras with a video management "
                "system linked to the district security centre.",
                "goods",
                31_000_000,
                [
                    ("4K outdoor CCTV camera", "240", "unit"),
                    ("Video management system", "1", "lot"),
                ],
                start=now - 20 * DAY,
                days=15,
            ),
            at=now - 20 * DAY,
        )
        bid(session, settings, "bids@chaophraya-it.example", tender, 28_640_000, at=now - 10 * DAY)
        bid(session, settings, "bids@siam-civil.example", tender, 30_150_000, at=now - 9 * DAY)
        opening.open_tender(
            session, tender_id=stored_id(tender), now=tender.opening_at + HOUR, settings=settings
        )
        made += 1

    title = "Personal protective equipment stockpile 2027"
    if not exists(session, moph, title):
        tender = publish(
            session,
            settings,
            moph,
            make_draft(
                title,
                "N95 respirators, surgical masks and isolation gowns for the national "
                "emergency stockpile.",
                "goods",
                52_000_000,
                [
                    ("N95 respirator", "1200000", "piece"),
                    ("Isolation gown, level 2", "400000", "piece"),
                ],
                start=now - 25 * DAY,
                days=14,
            ),
            at=now - 25 * DAY,
        )
        bid(session, settings, "bids@lanna-medical.example", tender, 48_900_000, at=now - 14 * DAY)
        bid(session, settings, "bids@chaophraya-it.example", tender, 50_300_000, at=now - 13 * DAY)
        opening.open_tender(
            session, tender_id=stored_id(tender), now=tender.opening_at, settings=settings
        )
        award = awarding.award(
            session,
            buyer=moph,
            tender_id=stored_id(tender),
            now=now - 3 * DAY,
            settings=settings,
            decision=AwardIn(justification="Lowest valid price; all documents complete."),
        )
        awarding.lodge_complaint(
            session,
            supplier=demo_user(session, "bids@chaophraya-it.example"),
            award_id=stored_id(award),
            now=now - 2 * DAY,
            settings=settings,
            text="The winning bid's gowns may not meet the level 2 fluid-resistance standard; "
            "we ask the committee to check the test certificates.",
        )
        made += 1

    title = "Bridge inspection and repair, Chao Phraya river crossings"
    if not exists(session, doh, title):
        tender = publish(
            session,
            settings,
            doh,
            make_draft(
                title,
                "Underwater inspection, bearing replacement and joint repair on four "
                "Chao Phraya river bridges.",
                "works",
                124_000_000,
                [("Bridge inspection and repair", "4", "bridge")],
                start=now - 80 * DAY,
                days=20,
            ),
            at=now - 80 * DAY,
        )
        bid(session, settings, "bids@siam-civil.example", tender, 118_200_000, at=now - 65 * DAY)
        bid(session, settings, "bids@andaman-build.example", tender, 121_000_000, at=now - 64 * DAY)
        opening.open_tender(
            session, tender_id=stored_id(tender), now=tender.opening_at, settings=settings
        )
        award = awarding.award(
            session,
            buyer=doh,
            tender_id=stored_id(tender),
            now=now - 55 * DAY,
            settings=settings,
            decision=AwardIn(justification="Lowest price."),
        )
        awarding.finalise_award(
            session, award_id=stored_id(award), now=now - 47 * DAY, settings=settings
        )
        signed = (now - 45 * DAY).date()
        awarding.sign_contract(
            session,
            buyer=doh,
            award_id=stored_id(award),
            now=now - 45 * DAY,
            settings=settings,
            contract=ContractIn(
                value=118_200_000 * 100,
                signed_date=signed,
                start_date=signed + timedelta(days=7),
                end_date=date(signed.year + 1, 3, 31),
            ),
        )
        made += 1

    title = "Medical equipment for Rajavithi Hospital, in three lots (ครุภัณฑ์การแพทย์ 3 กลุ่ม)"
    if not exists(session, moph, title):
        lotted_tender(session, settings, moph, title, now=now)
        made += 1

    title = "Dredging of Khlong Saen Saep, Pratunam to Bang Kapi"
    if not exists(session, bma, title):
        tender = publish(
            session,
            settings,
            bma,
            make_draft(
                title,
                "Dredging 18 km of canal to restore navigation depth for the express boat service.",
                "works",
                47_500_000,
                [("Canal dredging", "18", "km")],
                start=now - 10 * DAY,
                days=15,
            ),
            at=now - 10 * DAY,
        )
        tender_service.cancel(
            session,
            buyer=bma,
            tender_id=stored_id(tender),
            now=now - 4 * DAY,
            settings=settings,
            reason="The works are merged into the 2027 canal master plan budget; "
            "a new tender will follow.",
        )
        made += 1
    return made
