"""Server-rendered pages (Jinja2); they work without JavaScript."""

from __future__ import annotations

from fastapi import APIRouter

from opennrm.web.pages import (
    ads,
    cases,
    consent,
    finance,
    handover,
    hotline,
    identification,
    labour,
    login,
    non_punishment,
    notifications,
    public,
    referrals,
    reintegration,
    remedies,
    reporting,
    screening,
    statistics,
    tasks,
    users,
)

router = APIRouter(include_in_schema=False)
router.include_router(login.router)
router.include_router(screening.router)
router.include_router(cases.router)
router.include_router(handover.router)
router.include_router(consent.router)
router.include_router(statistics.router)
router.include_router(referrals.router)
router.include_router(ads.router)
router.include_router(finance.router)
router.include_router(identification.router)
router.include_router(labour.router)
router.include_router(non_punishment.router)
router.include_router(remedies.router)
router.include_router(reintegration.router)
router.include_router(public.router)
router.include_router(reporting.router)
router.include_router(hotline.router)
router.include_router(tasks.router)
router.include_router(users.router)
router.include_router(notifications.router)
