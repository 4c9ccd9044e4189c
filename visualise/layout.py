"""Precomputed, seeded positions: the browser never runs a physics simulation.

Blocks (districts) are laid out first: a spring layout of the block graph
(weighted by referral links and borders), then circles of each block's size
pushed apart until none overlap. Small graphs then get a spring layout inside
each block; large graphs leave members to the page, which packs them around
their block on a sunflower spiral only when a block is opened. Both are fast:
spring layouts only ever run on a few hundred nodes.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping

import networkx as nx
import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.spatial import cKDTree

__all__ = [
    "LAYOUT_SEED",
    "MEMBER_SPACING",
    "NODE_RADIUS",
    "block_radius",
    "remove_overlaps",
    "block_layout",
    "member_layout",
]

LAYOUT_SEED = 42
# Distance between neighbours on the sunflower spiral the page uses for members; the
# block radius reserved here must match static/gv-core.js (MEMBER_SPACING there).
MEMBER_SPACING = 46.0
NODE_RADIUS = 28.0  # room kept around each member (node plus part of its label)
BLOCK_PADDING = 40.0
_GOLDEN = math.pi * (3 - math.sqrt(5))  # the sunflower's angle step, as in gv-core.js


def block_radius(members: int) -> float:
    """Radius a block needs for ``members`` nodes packed on the page's spiral."""
    return MEMBER_SPACING * math.sqrt(max(members, 1)) + BLOCK_PADDING


def remove_overlaps(
    xy: np.ndarray, radii: np.ndarray, *, gap: float = 10.0, iterations: int = 200
) -> np.ndarray:
    """Push circles apart until no two overlap (or ``iterations`` runs out).

    Uses a k-d tree for the candidate pairs, so thousands of circles are fine.

    Examples
    --------
    >>> out = remove_overlaps(np.array([[0.0, 0.0], [1.0, 0.0]]), np.array([5.0, 5.0]))
    >>> bool(np.hypot(*(out[0] - out[1])) >= 10)
    True
    """
    pos = np.array(xy, dtype=float, copy=True)
    if len(pos) < 2:
        return pos
    radii = np.asarray(radii, dtype=float)
    reach = 2 * float(radii.max()) + gap
    rng = np.random.default_rng(LAYOUT_SEED)
    for _ in range(iterations):
        pairs = cKDTree(pos).query_pairs(reach, output_type="ndarray")
        if len(pairs) == 0:
            break
        i, j = pairs[:, 0], pairs[:, 1]
        delta = pos[j] - pos[i]
        dist = np.hypot(delta[:, 0], delta[:, 1])
        need = radii[i] + radii[j] + gap
        hit = dist < need - 1e-6
        if not hit.any():
            break
        i, j, delta, dist, need = i[hit], j[hit], delta[hit], dist[hit], need[hit]
        same = dist < 1e-9  # coincident points: separate them in a random direction
        if same.any():
            angle = rng.uniform(0, 2 * math.pi, same.sum())
            delta[same] = np.column_stack([np.cos(angle), np.sin(angle)])
            dist[same] = 1.0
        push = delta / dist[:, None] * ((need - dist) / 2 * 1.02)[:, None]
        np.add.at(pos, i, -push)
        np.add.at(pos, j, push)
    return pos


def block_layout(
    radii: Mapping[Hashable, float], links: Mapping[tuple, float]
) -> dict[Hashable, tuple[float, float]]:
    """Centres for blocks of the given radii, linked blocks near each other, none overlapping.

    Parameters
    ----------
    radii : mapping
        Block key -> radius of the circle it needs.
    links : mapping
        (block, block) -> weight (referral links, borders).

    Examples
    --------
    >>> pos = block_layout({"a": 50.0, "b": 50.0}, {("a", "b"): 1})
    >>> bool(math.dist(pos["a"], pos["b"]) >= 100)
    True
    """
    keys = sorted(radii, key=str)
    if not keys:
        return {}
    if len(keys) == 1:
        return {keys[0]: (0.0, 0.0)}
    B = nx.Graph()
    B.add_nodes_from(keys)
    for (a, b), w in links.items():
        if a != b and a in radii and b in radii:
            B.add_edge(a, b, weight=B.get_edge_data(a, b, {}).get("weight", 0) + float(w))
    if B.number_of_edges():
        top = max(w for *_, w in B.edges(data="weight"))
        for *_, d in B.edges(data=True):
            d["weight"] = 0.2 + d["weight"] / top  # every link pulls; heavy ones pull harder
    raw = nx.spring_layout(B, seed=LAYOUT_SEED, weight="weight", iterations=100)
    r = np.array([radii[k] for k in keys])
    xy = np.array([raw[k] for k in keys], dtype=float)
    xy *= 1.1 * math.sqrt(float((r**2).sum()))  # about the area the circles need
    xy = remove_overlaps(xy, r, gap=50.0, iterations=400)  # room for district labels
    xy -= xy.mean(axis=0)
    return {k: (round(float(x), 1), round(float(y), 1)) for k, (x, y) in zip(keys, xy, strict=True)}


def _even_disc(xy: np.ndarray) -> np.ndarray:
    """Move points onto the slots of an even sunflower disc, each to a slot near where it was.

    Spring layouts push loosely linked members far out and crowd the rest; matching them
    to evenly spaced slots (least total squared move) keeps who is next to whom and fills
    the district's circle evenly.
    """
    m = len(xy)
    k = np.arange(m)
    slots = (
        MEMBER_SPACING
        * np.sqrt(k + 0.5)[:, None]
        * np.column_stack([np.cos(k * _GOLDEN), np.sin(k * _GOLDEN)])
    )
    xy = xy - xy.mean(axis=0)
    reach = float(np.hypot(xy[:, 0], xy[:, 1]).max()) or 1.0
    xy = xy * (MEMBER_SPACING * math.sqrt(m) / reach)
    cost = ((xy[:, None, :] - slots[None, :, :]) ** 2).sum(axis=2)
    rows, cols = linear_sum_assignment(cost)
    out = np.empty_like(xy)
    out[rows] = slots[cols]
    return out


def member_layout(
    G: nx.DiGraph, blocks: Mapping[Hashable, list], links: Mapping[tuple, float]
) -> tuple[dict, dict, dict]:
    """Every node's position for a small graph: a spring layout inside each block.

    Returns ``(positions, block_centres, block_radii)``; positions are rounded to 0.1.
    """
    local: dict = {}
    radii: dict = {}
    U = G.to_undirected(as_view=True)
    for key, members in blocks.items():
        m = len(members)
        if m == 1:
            rel = np.zeros((1, 2))
        else:
            scale = MEMBER_SPACING * math.sqrt(m)
            sub = nx.spring_layout(
                U.subgraph(members), seed=LAYOUT_SEED, scale=scale, iterations=60, weight=None
            )
            rel = np.array([sub[n] for n in members], dtype=float)
            rel = _even_disc(rel)
            rel = remove_overlaps(rel, np.full(m, NODE_RADIUS), gap=8.0, iterations=120)
            rel -= rel.mean(axis=0)
        local[key] = rel
        radii[key] = float(np.hypot(rel[:, 0], rel[:, 1]).max()) + NODE_RADIUS + BLOCK_PADDING
    centres = block_layout(radii, links)
    pos = {}
    for key, members in blocks.items():
        cx, cy = centres[key]
        for n, (x, y) in zip(members, local[key], strict=True):
            pos[n] = (round(float(x + cx), 1), round(float(y + cy), 1))
    return pos, centres, radii
