"""Create, describe, update, delete and list audit finding suppressions."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from .. import clock
from ..errors import LimitExceededException, ResourceAlreadyExistsException, ResourceNotFoundException
from ..listing_index import after
from ..pagination import decode_token, take_page
from ..suppressions import Suppression, key_of, validate_key, validate_term
from .base import OperationsBase


class SuppressionOperations(OperationsBase):
    #: AWS publishes no suppression quota; set a number to make Create raise LimitExceeded.
    max_suppressions: int | None = None

    def create_audit_suppression(
        self,
        check_name: str,
        resource_identifier: dict[str, Any],
        client_request_token: str,
        expiration_date: dt.datetime | None = None,
        suppress_indefinitely: bool | None = None,
        description: str | None = None,
    ) -> None:
        validate_key(check_name, resource_identifier)
        key = key_of(check_name, resource_identifier)
        request = json.dumps([key, expiration_date and expiration_date.timestamp(), suppress_indefinitely,
                              description])
        previous = self.state.suppression_tokens.get(client_request_token, (None, None))[1]
        if previous == request:
            return  # an SDK retry of the same request
        resource_id = f"{check_name}:{key[1]}"
        if previous is not None:
            raise ResourceAlreadyExistsException(
                f"clientRequestToken {client_request_token} was already used for another suppression.", resource_id
            )
        existing = self.state.suppressions.get(key)
        # An expired suppression no longer applies; a new one for its resource replaces it [INF].
        if existing is not None and existing.active(clock.now()):
            raise ResourceAlreadyExistsException(
                f"A suppression for {check_name} on this resource already exists.", resource_id
            )
        if self.max_suppressions is not None and len(self.state.suppressions) >= self.max_suppressions:
            raise LimitExceededException(f"At most {self.max_suppressions} audit suppressions are allowed.")
        validate_term(expiration_date, bool(suppress_indefinitely), clock.now())
        suppression = Suppression(check_name, resource_identifier, expiration_date, bool(suppress_indefinitely),
                                  description)
        self.state.add_suppression(suppression, client_request_token, request)

    def _suppression(self, check_name: str, identifier: dict[str, Any]) -> Suppression:
        validate_key(check_name, identifier)
        found = self.state.suppressions.get(key_of(check_name, identifier))
        if found is None:
            raise ResourceNotFoundException(f"No suppression exists for {check_name} on this resource.")
        return found

    def describe_audit_suppression(self, check_name: str, resource_identifier: dict[str, Any]) -> dict[str, Any]:
        return self._suppression(check_name, resource_identifier).describe()

    def update_audit_suppression(
        self,
        check_name: str,
        resource_identifier: dict[str, Any],
        expiration_date: dt.datetime | None = None,
        suppress_indefinitely: bool | None = None,
        description: str | None = None,
    ) -> None:
        found = self._suppression(check_name, resource_identifier)
        if expiration_date is not None or suppress_indefinitely is not None:
            # A new expirationDate alone ends an indefinite suppression [INF: undocumented].
            indefinitely = bool(suppress_indefinitely) if expiration_date is not None else bool(
                suppress_indefinitely if suppress_indefinitely is not None else found.indefinitely)
            expiration = expiration_date if expiration_date is not None else found.expiration
            validate_term(expiration, indefinitely, clock.now())
            self.state.change_suppression_term(found, expiration, indefinitely)
        if description is not None:
            found.description = description

    def delete_audit_suppression(self, check_name: str, resource_identifier: dict[str, Any]) -> None:
        validate_key(check_name, resource_identifier)
        # No ResourceNotFound in the model: deleting a missing suppression succeeds.
        self.state.remove_suppression(key_of(check_name, resource_identifier))

    def list_audit_suppressions(
        self,
        check_name: str | None = None,
        resource_identifier: dict[str, Any] | None = None,
        ascending_order: bool | None = None,
        next_token: str | None = None,
        max_results: int | None = None,
    ) -> dict[str, Any]:
        descending = ascending_order is False
        query = ["ListAuditSuppressions", check_name, resource_identifier, descending]
        position = decode_token(next_token, query)
        order = self.state.suppression_order
        if len(order) != len(self.state.suppressions):  # changed behind the operations' back: file them again
            order.rebuild(self.state.suppressions.values())
        remaining = after(order.ordered(check_name, resource_identifier), position, descending)
        page, token = take_page(remaining, max_results, lambda key: key, query)
        return {"suppressions": [self.state.suppressions[(key[2], key[3])].describe() for key in page],
                "nextToken": token}
