"""Analytic check: a border station built through the engine behaves as M/M/c."""

import math

import numpy as np
from scipy import stats

from corridor_sim.experiment import run_single

from .factories import mmc_station


def erlang_c(lam: float, mu: float, c: int) -> float:
    """Probability that an arrival to an M/M/c system waits (Erlang C)."""
    a = lam / mu
    top = a**c / math.factorial(c) / (1 - a / c)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


def erlang_c_wait(lam: float, mu: float, c: int) -> float:
    """Mean wait in queue of an M/M/c system."""
    return erlang_c(lam, mu, c) / (c * mu - lam)


def test_mmc_mean_wait_matches_erlang_c():
    lam, mean_service, c = 1.0, 1.5, 2
    sc = mmc_station(lam, mean_service, c, days=1500, seed=11)
    tables, _ = run_single(sc)
    mov = tables["movements"]
    arrivals = mov[(mov["place"] == "a-b") & (mov["activity"] == "run")]
    queue = mov[(mov["place"] == "b") & (mov["activity"] == "queue")]
    # every train visits b; trains that did not queue have no queue row (zero wait)
    waits = queue.set_index("batch_id")["end_h"] - queue.set_index("batch_id")["start_h"]
    trains = arrivals.set_index("batch_id")["end_h"].sort_values()
    trains = trains[trains > 0]  # after warm-up
    w = waits.reindex(trains.index, fill_value=0.0).to_numpy()
    # batch means over 30 consecutive blocks of trains -> t confidence interval
    blocks = np.array_split(w, 30)
    means = np.array([b.mean() for b in blocks])
    half = stats.t.ppf(0.995, len(means) - 1) * means.std(ddof=1) / math.sqrt(len(means))
    expected = erlang_c_wait(lam, 1 / mean_service, c)
    assert abs(means.mean() - expected) <= half, (means.mean(), expected, half)
    # and the arrival rate really is lambda
    rate = len(trains) / (trains.iloc[-1] - trains.iloc[0])
    assert abs(rate - lam) < 0.03


def test_mmc_trains_counted_as_queued_are_those_that_wait():
    """A train that finds a track free takes it at once and is not counted in
    ``trains_queued``: the share of trains that raise the count is Erlang C's P(wait),
    and the count's time mean is Little's L_q = lambda W_q."""
    lam, mean_service, c = 1.0, 1.5, 2
    sc = mmc_station(lam, mean_service, c, days=1500, seed=12)
    tables, _ = run_single(sc)
    res = tables["resources"]
    q = res[(res["resource"] == "b") & (res["metric"] == "trains_queued")]
    t, v = q["t_h"].to_numpy(), q["value"].to_numpy()
    after = t > 0  # after warm-up
    raised = np.count_nonzero(np.diff(v, prepend=0.0)[after] > 0)
    mov = tables["movements"]
    trains = np.count_nonzero((mov["place"] == "a-b") & (mov["activity"] == "run")
                              & (mov["end_h"] > 0))
    p = erlang_c(lam, 1 / mean_service, c)
    share = raised / trains
    assert abs(share - p) <= 4 * math.sqrt(p * (1 - p) / trains) + 0.02, (share, p)
    end = sc.horizon_days * 24.0
    held = np.diff(np.append(t[after], end))
    mean_queued = float((v[after] * held).sum() / (end - t[after][0]))
    lq = lam * erlang_c_wait(lam, 1 / mean_service, c)
    assert abs(mean_queued - lq) <= 0.2 * lq, (mean_queued, lq)


def test_erlang_c_formula_known_value():
    # a = 1.5, c = 2: P(wait) = 4.5 / 7, Wq = P / (4/3 - 1)
    assert math.isclose(erlang_c_wait(1.0, 2 / 3, 2), (4.5 / 7) / (1 / 3))
