"""Controlled vocabularies of the case record.

Codes are short snake_case identifiers used on the command line, in the API and in the database.
Where the Human Trafficking Case Data Standard has a picklist, each code maps to its HTCDS value name
(``htcds`` below), so exports and imports speak the standard.

Source of the HTCDS picklists: "Human Trafficking Case Data Standard (HTCDS) by IOM", v2.0
(24 December 2021), licensed CC BY 4.0 — file ``HTCDS Field Standards 2.0.ods`` of UNMigration/HTCDS at
commit 3c2f6537 (a copy with provenance sits in ``shared/data/htcds/``). The migration and protection
categories come from the HTCDS guidance "7. Migration and International Protection". Codes that GR38
needs and HTCDS lacks (disability, socio-economic markers, organisation types of a referral network) are
marked ``htcds=None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class OrganisationType(StrEnum):
    NGO = "ngo"
    HEALTH_SERVICE = "health_service"
    LABOUR_INSPECTORATE = "labour_inspectorate"
    SHELTER = "shelter"
    LEGAL_AID = "legal_aid"
    CHILD_PROTECTION = "child_protection"
    SOCIAL_SERVICES = "social_services"
    POLICE = "police"
    PROSECUTION = "prosecution"
    IMMIGRATION_SERVICE = "immigration_service"
    FINANCIAL_INTELLIGENCE_UNIT = "financial_intelligence_unit"
    NRM_SECRETARIAT = "nrm_secretariat"
    OTHER = "other"
    PARTNER_ABROAD = "partner_abroad"
    """A partner organisation in another country (her country of origin, a resettlement country) that
    takes a cross-border referral; reached only through the consent gate, like any other recipient."""


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    INTERSEX = "intersex"
    UNKNOWN = "unknown"


class Gender(StrEnum):
    FEMININE = "feminine"
    MASCULINE = "masculine"
    TRANSGENDER_FEMININE = "transgender_feminine"
    TRANSGENDER_MASCULINE = "transgender_masculine"
    NON_CONFORMING = "non_conforming"
    UNKNOWN = "unknown"


class CaseStatus(StrEnum):
    """Case workflow (Primero's stages, mapped onto HTCDS ``cas_Status``)."""

    NEW = "new"
    ASSESSMENT = "assessment"
    CASE_PLAN = "case_plan"
    SERVICES = "services"
    FOLLOW_UP = "follow_up"
    CLOSED = "closed"
    CLOSED_REFERRED = "closed_referred"
    REOPENED = "reopened"


class TraffickingStatus(StrEnum):
    POSSIBLE = "possible_victim"
    PRESUMED = "presumed_victim"
    ACTUAL = "actual_victim"
    NOT_A_VICTIM = "not_a_victim"


class MigrationStatus(StrEnum):
    """HTCDS guidance 7: migrant, international protection, and other categories."""

    NATIONAL = "national"
    MIGRANT_FAMILY = "migrant_family"
    MIGRANT_VISITOR = "migrant_visitor"
    MIGRANT_LABOUR = "migrant_labour"
    MIGRANT_STUDENT = "migrant_student"
    MIGRANT_IRREGULAR = "migrant_irregular"
    ASYLUM_SEEKER = "asylum_seeker"
    REFUGEE = "refugee"
    COMPLEMENTARY_PROTECTION = "complementary_protection"
    STATELESS = "stateless"
    ENVIRONMENTAL_MIGRANT = "environmental_migrant"
    VULNERABLE_MIGRANT = "vulnerable_migrant"
    STRANDED_MIGRANT = "stranded_migrant"
    FORCED_MIGRANT = "forced_migrant"
    DEPORTEE = "deportee"
    EX_COMBATANT = "ex_combatant"
    INTERNALLY_DISPLACED = "internally_displaced"
    UNKNOWN = "unknown"


class Disability(StrEnum):
    """Washington Group domains; GR38 §110 asks for disaggregation by disability."""

    NONE = "none"
    SEEING = "seeing"
    HEARING = "hearing"
    MOBILITY = "mobility"
    COGNITION = "cognition"
    SELF_CARE = "self_care"
    COMMUNICATION = "communication"
    PSYCHOSOCIAL = "psychosocial"
    UNKNOWN = "unknown"


class SocioeconomicMarker(StrEnum):
    """Individual and household risk markers (HTCDS v2.0 replaced 'vulnerabilities' with these)."""

    POVERTY = "poverty"
    HOMELESSNESS = "homelessness"
    UNEMPLOYMENT = "unemployment"
    DEBT = "debt"
    NO_SCHOOLING = "no_schooling"
    RURAL = "rural"
    SINGLE_HEAD_OF_HOUSEHOLD = "single_head_of_household"
    DOMESTIC_VIOLENCE = "domestic_violence"
    ADDICTION = "addiction"
    DISCRIMINATION = "discrimination"


class EducationLevel(StrEnum):
    EARLY_CHILDHOOD = "early_childhood"
    PRIMARY = "primary"
    LOWER_SECONDARY = "lower_secondary"
    UPPER_SECONDARY = "upper_secondary"
    POST_SECONDARY = "post_secondary_non_tertiary"
    SHORT_CYCLE_TERTIARY = "short_cycle_tertiary"
    BACHELORS = "bachelors"
    MASTERS = "masters"
    DOCTORAL = "doctoral"
    NONE = "none"
    UNKNOWN = "unknown"


class ExploitationType(StrEnum):
    FORCED_LABOUR = "forced_labour"
    SEXUAL_EXPLOITATION = "sexual_exploitation"
    CHILD_LABOUR = "child_labour"
    FORCED_MARRIAGE = "forced_marriage"
    SERVITUDE = "servitude"
    FORCED_MILITARY = "forced_military"
    ORGAN_REMOVAL = "organ_removal"
    FORCED_BEGGING = "forced_begging"
    FORCED_CRIMINALITY = "forced_criminality"
    FORCED_ADOPTION = "forced_adoption"
    SURROGACY = "surrogacy"
    OTHER = "other"


class MeansOfControl(StrEnum):
    PHYSICAL_THREATS = "physical_threats"
    THREATS_LAW_ENFORCEMENT = "threats_law_enforcement"
    THREATENS_FAMILY = "threatens_family"
    DEBT_BONDAGE = "debt_bondage"
    FALSE_PROMISES = "false_promises"
    PHYSICAL_ABUSE = "physical_abuse"
    SEXUAL_ABUSE = "sexual_abuse"
    TAKES_EARNINGS = "takes_earnings"
    RESTRICTS_FINANCIAL_ACCESS = "restricts_financial_access"
    RESTRICTS_MEDICAL_CARE = "restricts_medical_care"
    WITHHOLDS_NECESSITIES = "withholds_necessities"
    PSYCHOLOGICAL_ABUSE = "psychological_abuse"
    PSYCHOACTIVE_SUBSTANCES = "psychoactive_substances"
    EXCESSIVE_WORKING_HOURS = "excessive_working_hours"
    WITHHOLDS_DOCUMENTS = "withholds_documents"
    OTHER = "other"


class RecruitmentMethod(StrEnum):
    PLACE_OF_BUSINESS = "place_of_business"
    EDUCATIONAL_INSTITUTION = "educational_institution"
    AT_WORK = "at_work"
    ONLINE_SOCIAL_NETWORK = "online_social_network"
    ONLINE_ADVERTISEMENT = "online_advertisement"
    TELEVISION_ADVERT = "television_advert"
    NEWSPAPER_ADVERT = "newspaper_advert"
    FAMILY = "family"
    FRIENDS = "friends"
    OTHER = "other"
    UNKNOWN = "unknown"


class RecruiterRelationship(StrEnum):
    FAMILIAL = "familial"
    ACQUAINTED = "acquainted"
    INTIMATE_PARTNER = "intimate_partner"
    UNACQUAINTED = "unacquainted"
    UNKNOWN = "unknown"


class OnlinePlatform(StrEnum):
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    WHATSAPP = "whatsapp"
    TELEGRAM = "telegram"
    FACEBOOK_MESSENGER = "facebook_messenger"
    VIBER = "viber"
    SNAPCHAT = "snapchat"
    LINE = "line"
    FOUR_SALE = "4sale"
    WECHAT = "wechat"
    QQ = "qq"
    QZONE = "qzone"
    TIKTOK = "tiktok"
    TWITTER = "twitter"
    JOB_BOARD = "job_board"
    OTHER = "other"


class EventType(StrEnum):
    RECRUITMENT = "recruitment"
    TRANSIT = "transit"
    EXPLOITATION = "exploitation"


@dataclass(frozen=True)
class HtcdsPicklist:
    """How one of our vocabularies maps onto an HTCDS picklist field."""

    field: str
    names: Mapping[str, str | None]


HTCDS: dict[type[StrEnum], HtcdsPicklist] = {
    OrganisationType: HtcdsPicklist(
        "org_Type",
        {
            "ngo": "NGO",
            "health_service": "HealthServiceOrganisation",
            "labour_inspectorate": "CentralGovernmentOrganisation",
            "shelter": "NGO",
            "legal_aid": "LegalService",
            "child_protection": "LocalGovernmentOrganisation",
            "social_services": "LocalGovernmentOrganisation",
            "police": "LawEnforcement",
            "prosecution": "LawEnforcement",
            "immigration_service": "ImmigrationService",
            # a national financial intelligence unit is a central government agency (HTCDS has no FIU value)
            "financial_intelligence_unit": "CentralGovernmentOrganisation",
            "nrm_secretariat": "CentralGovernmentOrganisation",
            "other": None,
            # a partner abroad may be of any kind; HTCDS has no value for "in another country"
            "partner_abroad": None,
        },
    ),
    Gender: HtcdsPicklist(
        "prs_Gender",
        {
            "feminine": "Feminine",
            "masculine": "Masculine",
            "transgender_feminine": "TransgenderFeminine",
            "transgender_masculine": "TransgenderMasculine",
            "non_conforming": "NonConforming",
            "unknown": "NonSpecifiedUnknown",
        },
    ),
    CaseStatus: HtcdsPicklist(
        "cas_Status",
        {
            "new": "Active",
            "assessment": "Active",
            "case_plan": "Active",
            "services": "Active",
            "follow_up": "FollowUp",
            "closed": "Closed",
            "closed_referred": "ClosedReferred",
            "reopened": "Active",
        },
    ),
    TraffickingStatus: HtcdsPicklist(
        "vic_TraffickingStatus",
        {
            "possible_victim": "PossibleVictimOfTrafficking",
            "presumed_victim": "PossibleVictimOfTrafficking",
            "actual_victim": "ActualVictimOfTrafficking",
            "not_a_victim": "NotAVictimOfTrafficking",
        },
    ),
    EducationLevel: HtcdsPicklist(
        "prs_HighestLevelOfEducation",
        {
            "early_childhood": "EarlyChildhoodEducation",
            "primary": "PrimaryEducation",
            "lower_secondary": "LowerSecondaryEducation",
            "upper_secondary": "UpperSecondaryEducation",
            "post_secondary_non_tertiary": "PostSecondaryNonTertiaryEducation",
            "short_cycle_tertiary": "ShortCycleTertiaryEducation",
            "bachelors": "BachelorsOrEquivalentLevel",
            "masters": "MastersOrEquivalentLevel",
            "doctoral": "DoctoralOrEquivalentLevel",
            "none": None,
            "unknown": None,
        },
    ),
    ExploitationType: HtcdsPicklist(
        "vic_TypeOfExploitation",
        {
            "forced_labour": "ForcedLabour",
            "sexual_exploitation": "SexualExploitation",
            "child_labour": "ChildLabour",
            "forced_marriage": "ForcedMarriage",
            "servitude": "Servitude",
            "forced_military": "ForcedMilitaryByNonStateActors",
            "organ_removal": "OrganRemoval",
            "forced_begging": "ForcedBegging",
            "forced_criminality": "Other",
            "forced_adoption": "ForcedAdoption",
            "surrogacy": "Surrogacy",
            "other": "Other",
        },
    ),
    MeansOfControl: HtcdsPicklist(
        "vic_MethodsOfControl",
        {
            "physical_threats": "PhysicalThreats",
            "threats_law_enforcement": "ThreatsLawEnforcement",
            "threatens_family": "ThreatensChildrenFamily",
            "debt_bondage": "DebtBondage",
            "false_promises": "FalsePromises",
            "physical_abuse": "PhysicalAbuse",
            "sexual_abuse": "SexualAbuse",
            "takes_earnings": "TakesEarnings",
            "restricts_financial_access": "RestrictsFinancialAccess",
            "restricts_medical_care": "RestrictsMedicalCare",
            "withholds_necessities": "WithholdsNecessities",
            "psychological_abuse": "PsychologicalAbuse",
            "psychoactive_substances": "PsychoactiveSubstance",
            "excessive_working_hours": "ExcessiveWorkingHours",
            "withholds_documents": "WithholdsDocuments",
            "other": "Other",
        },
    ),
    RecruitmentMethod: HtcdsPicklist(
        "vic_MethodOfRecruitment",
        {
            "place_of_business": "AtAPlaceOfBusiness",
            "educational_institution": "AtAnEducationalInstitution",
            "at_work": "AtWork",
            "online_social_network": "ThroughOnlineSocialNetworks",
            "online_advertisement": "ThroughAnOnlineAdvertisement",
            "television_advert": "ThroughATelevisionAdvert",
            "newspaper_advert": "ThroughANewspaperAdvert",
            "family": "ThroughFamilyOrFamilyEvents",
            "friends": "ThroughFriendsOrSocialEvents",
            "other": "Other",
            "unknown": None,
        },
    ),
    RecruiterRelationship: HtcdsPicklist(
        "vic_RelationshipToTrafficker",
        {
            "familial": "Familial",
            "acquainted": "Acquainted",
            "intimate_partner": "Acquainted",
            "unacquainted": "Unaquainted",  # sic, as spelled in HTCDS v2.0
            "unknown": None,
        },
    ),
    OnlinePlatform: HtcdsPicklist(
        "vic_RecruitmentWebsitesAndApps",
        {
            "facebook": "Facebook",
            "instagram": "Instagram",
            "whatsapp": "WhatsApp",
            "telegram": "Telegram",
            "facebook_messenger": "FacebookMessenger",
            "viber": "Viber",
            "snapchat": "SnapChat",
            "line": "Line",
            "4sale": "4Sale",
            "wechat": "WeChat",
            "qq": "QQ",
            "qzone": "QZone",
            "tiktok": "TikTok",
            "twitter": "Twitter",
            "job_board": "Other",
            "other": "Other",
        },
    ),
    EventType: HtcdsPicklist(
        "hte_Type",
        {"recruitment": "Recruitment", "transit": "Transit", "exploitation": "Exploitation"},
    ),
}


def codes(vocabulary: type[StrEnum]) -> list[str]:
    """All codes of a vocabulary, in declaration order."""
    return [member.value for member in vocabulary]


def parse(vocabulary: type[StrEnum], value: str) -> StrEnum:
    """The member for ``value``; ``ValueError`` naming the allowed codes otherwise."""
    try:
        return vocabulary(value)
    except ValueError:
        allowed = ", ".join(codes(vocabulary))
        raise ValueError(f"{value!r} is not one of: {allowed}") from None
