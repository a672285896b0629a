"""The JSON API under ``/api``."""

from __future__ import annotations

from fastapi import APIRouter

from opennrm.web.api import (
    ads,
    cases,
    consent,
    identification,
    labour,
    non_punishment,
    referrals,
    reintegration,
    remedies,
    reports,
    screenings,
    session,
)

router = APIRouter(prefix="/api")
router.include_router(session.router)
router.include_router(cases.router)
router.include_router(screenings.router)
router.include_router(consent.router)
router.include_router(referrals.router)
router.include_router(ads.router)
router.include_router(identification.router)
router.include_router(labour.router)
router.include_router(non_punishment.router)
router.include_router(remedies.router)
router.include_router(reintegration.router)
router.include_router(reports.router)
