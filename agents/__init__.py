"""The actors: one module each. Households are arrays (``resident``); the rest are few."""

from commgov.agents.community_office import CommunityOffice
from commgov.agents.grid_worker import GridWorker
from commgov.agents.hotline import Hotline
from commgov.agents.neighbourhood_council import NeighbourhoodCouncil
from commgov.agents.owners_committee import OwnersCommittee
from commgov.agents.party_branch import PartyBranch
from commgov.agents.property_firm import PropertyFirm
from commgov.agents.resident import Households, Resident
from commgov.agents.street_office import StreetOffice

__all__ = ["CommunityOffice", "GridWorker", "Hotline", "Households", "NeighbourhoodCouncil",
           "OwnersCommittee", "PartyBranch", "PropertyFirm", "Resident", "StreetOffice"]
