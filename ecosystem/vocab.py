"""Fixed vocabularies of the recovery ecosystem, in one place.

Validation, the CSV template, the views' legends and the docs all read these
constants, so a new organisation kind or domain is added here and nowhere else.
Each vocabulary maps a stable machine code (what partner files carry) to the
label a person reads.
"""

from __future__ import annotations

__all__ = [
    "ORG_KINDS",
    "DOMAINS",
    "COMMUNITY_DOMAINS",
    "CHIME",
    "FELLOWSHIPS",
    "CADENCES",
    "NAVIGATOR_ROLES",
    "PEER_LINK_KINDS",
    "SUPPRESSION_THRESHOLD",
    "FEEDBACK_GIVERS",
    "FEEDBACK_BARRIERS",
    "FEEDBACK_CHANNELS",
]

ORG_KINDS: dict[str, str] = {
    "treatment": "Specialist treatment provider",
    "mutual_aid": "Mutual-aid fellowship",
    "community": "Community / voluntary project",
    "council": "Council",
    "nhs": "NHS / mental health",
    "housing": "Housing",
    "employment": "Employment & training",
    "education": "Education",
    "criminal_justice": "Criminal justice",
    "other": "Other",
}

# The seven domains of community recovery support, in the order of the checklist.
COMMUNITY_DOMAINS: dict[str, str] = {
    "twelve_step": "12-step groups",
    "peer_mutual_aid": "Other peer mutual aid (incl. affected others)",
    "recovery_coaching": "Recovery coaching / 1:1 / group support",
    "activities": "Fun activities & exercise",
    "volunteering": "Volunteering",
    "linkage": "Linkage to education, training, housing & community resources",
    "growth_pathways": "Personalised growth pathways",
}

DOMAINS: dict[str, str] = {
    **COMMUNITY_DOMAINS,
    "specialist_treatment": "Specialist treatment",
    "wraparound": "Wraparound support",
}

CHIME: dict[str, str] = {
    "connection": "Connection",
    "hope": "Hope",
    "identity": "Identity",
    "meaning": "Meaning",
    "empowerment": "Empowerment",
}

FELLOWSHIPS: dict[str, str] = {
    "AA": "Alcoholics Anonymous",
    "NA": "Narcotics Anonymous",
    "CA": "Cocaine Anonymous",
    "SMART": "SMART Recovery",
    "Al-Anon": "Al-Anon (families and friends)",
    "other": "Other fellowship",
}

# The domain a mutual-aid group serves, by fellowship: 12-step fellowships are the
# first community domain; SMART and family groups are "other peer mutual aid".
FELLOWSHIP_DOMAIN: dict[str, str] = {
    "AA": "twelve_step",
    "NA": "twelve_step",
    "CA": "twelve_step",
    "SMART": "peer_mutual_aid",
    "Al-Anon": "peer_mutual_aid",
    "other": "peer_mutual_aid",
}

CADENCES: dict[str, str] = {
    "daily": "Daily",
    "several_weekly": "Several times a week",
    "weekly": "Weekly",
    "fortnightly": "Fortnightly",
    "monthly": "Monthly",
    "irregular": "Irregular",
}

NAVIGATOR_ROLES: dict[str, str] = {
    "navigator": "Recovery navigator",
    "peer_mentor": "Peer mentor",
    "coach": "Recovery coach",
}

PEER_LINK_KINDS: dict[str, str] = {
    "attends": "Attends",
    "mentors_at": "Mentors at",
    "links_with": "Links with",
}

# Who gave feedback: a category only, never who.
FEEDBACK_GIVERS: dict[str, str] = {
    "person_in_recovery": "Person in recovery",
    "family": "Family / affected other",
    "peer_mentor": "Peer mentor / navigator",
    "professional": "Professional",
}

FEEDBACK_BARRIERS: dict[str, str] = {
    "waiting_time": "Waiting time",
    "not_welcome": "Not welcome",
    "too_far": "Too far",
    "wrong_hours": "Wrong hours",
    "referral_refused": "Referral refused",
    "no_follow_up": "No follow-up",
    "other": "Other barrier",
}

FEEDBACK_CHANNELS: dict[str, str] = {
    "event": "Event",
    "survey": "Survey",
    "navigator": "Through a navigator",
    "online_form": "Online form",
}

# Counts from 1 to this value minus one are shown as "*" (small-number disclosure rule).
SUPPRESSION_THRESHOLD = 5
