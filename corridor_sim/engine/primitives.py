"""Lean SimPy building blocks.

``Slots`` behaves like ``simpy.Resource`` (FIFO requests; a release is an event whose
processing grants the next request, where one waits; a free server is taken at once with
``take_free``) and ``fire_at(env, delay, ev)`` like ``timeout | ev`` (``ev`` triggered
when the timeout is processed, if nothing triggered it before). They skip SimPy's
generic put/get queues and condition values, which cost more than the model's own work
per event.
"""

from __future__ import annotations

from collections import deque

from simpy import Environment
from simpy.events import Event


class Slots:
    """``capacity`` identical servers (tracks, berths) granted first come, first served."""

    __slots__ = ("capacity", "count", "env", "queue")

    def __init__(self, env: Environment, capacity: int):
        self.env = env
        self.capacity = capacity
        self.count = 0  # servers in use
        self.queue: deque[Event] = deque()  # requests not yet granted

    def request(self) -> Event:
        """An event that triggers when a server is granted to the caller."""
        ev = Event(self.env)
        self.queue.append(ev)
        self._grant()
        return ev

    def take_free(self) -> bool:
        """Take a server at once, with no event, if one is free and no request waits;
        ``False`` (nothing taken) otherwise: then ``request`` one."""
        if self.count < self.capacity and not self.queue:
            self.count += 1
            return True
        return False

    def release(self, _request: Event | None = None) -> None:
        """Free a server now; the next request is granted when the release is processed.
        With no request waiting the release is not an event at all: it would grant
        nothing when processed, and a request made in between is granted at once (the
        server is already free), so skipping it leaves every other event in its order."""
        self.count -= 1
        if self.queue:
            ev = Event(self.env)
            ev.callbacks.append(self._grant)
            ev.succeed()

    def _grant(self, _event: Event | None = None) -> None:
        if self.queue and self.count < self.capacity:
            self.count += 1
            self.queue.popleft().succeed()


def fire_at(env: Environment, delay: float, ev: Event) -> Event:
    """``ev``, also triggered (unless something else has triggered it first) when a
    timeout of ``delay`` is processed: an event that fires at the first of the two."""

    def fire(_event: Event) -> None:
        if not ev.triggered:
            ev.succeed()

    env.timeout(delay).callbacks.append(fire)
    return ev
