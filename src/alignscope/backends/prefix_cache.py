"""Key/value states of token sequences a model has already read, kept to skip reading them again.

A :class:`PrefixCache` holds, per sequence of token ids, the attention keys and values of every layer (as
segments, so that sequences sharing a prompt share its tensors), least recently used first out once the
tensors exceed a byte budget. :meth:`PrefixCache.longest` finds the stored sequence sharing the longest
prefix with a new input; :func:`as_cache` turns that prefix into a transformers cache the model continues
from. The states are exactly those the model computed, so a continuation from them equals reading the whole
input again up to floating-point rounding.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import torch

LayerKV = tuple[torch.Tensor, torch.Tensor]  # keys, values: [1, heads, tokens, head_dim]
Segment = list[LayerKV]  # one tensor pair per layer


@dataclass(frozen=True)
class Prefix:
    """The first ``length`` tokens of a stored sequence and their per-layer keys and values."""

    length: int
    layers: list[LayerKV]


def segment_tokens(segment: Segment) -> int:
    """Tokens in ``segment``."""
    return segment[0][0].shape[-2]


def segment_bytes(segment: Segment) -> int:
    """Bytes held by ``segment``'s tensors."""
    return sum(k.numel() * k.element_size() + v.numel() * v.element_size() for k, v in segment)


def common_length(a: Sequence[int], b: Sequence[int]) -> int:
    """The length of the longest common prefix of ``a`` and ``b``."""
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n


class PrefixCache:
    """Token sequences -> their keys and values, least recently used evicted beyond ``max_bytes``."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.hits = 0
        self._entries: OrderedDict[tuple[int, ...], list[Segment]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def nbytes(self) -> int:
        """Bytes of the distinct segments the stored sequences hold."""
        unique = {id(s): s for segments in self._entries.values() for s in segments}
        return sum(segment_bytes(s) for s in unique.values())

    def put(self, tokens: Sequence[int], segments: list[Segment]) -> None:
        """Store ``tokens`` with their states, ``segments`` in order covering every token (then evict)."""
        if self.max_bytes <= 0 or not tokens:
            return
        if sum(segment_tokens(s) for s in segments) != len(tokens):
            raise ValueError("the segments must cover exactly the stored tokens")
        key = tuple(tokens)
        self._entries[key] = segments
        self._entries.move_to_end(key)
        while len(self._entries) > 1 and self.nbytes > self.max_bytes:
            self._entries.popitem(last=False)
        if self.nbytes > self.max_bytes:
            self._entries.clear()

    def longest(self, tokens: Sequence[int], limit: int, minimum: int = 1) -> Prefix | None:
        """The longest stored prefix of ``tokens``, at most ``limit`` tokens long; None if none is shared
        or the longest is shorter than ``minimum`` (``hits`` counts the prefixes given out)."""
        best, best_key = 0, None
        for key in self._entries:
            n = min(common_length(key, tokens), limit)
            if n > best:
                best, best_key = n, key
        if best_key is None or best < max(1, minimum):
            return None
        self.hits += 1
        self._entries.move_to_end(best_key)
        return Prefix(best, _first_tokens(self._entries[best_key], best))


def _first_tokens(segments: list[Segment], n: int) -> list[LayerKV]:
    """Per layer, the keys and values of the first ``n`` tokens of ``segments``."""
    parts: list[Segment] = []
    left = n
    for segment in segments:
        if left <= 0:
            break
        take = min(left, segment_tokens(segment))
        parts.append([(k[:, :, :take], v[:, :, :take]) for k, v in segment])
        left -= take
    if len(parts) == 1:
        return parts[0]
    return [
        (torch.cat([p[layer][0] for p in parts], dim=2), torch.cat([p[layer][1] for p in parts], dim=2))
        for layer in range(len(parts[0]))
    ]


def as_cache(layers: list[LayerKV]):  # noqa: ANN201 - transformers' DynamicCache
    """A transformers ``DynamicCache`` starting from ``layers`` (appending to it leaves ``layers`` intact)."""
    from transformers import DynamicCache

    return DynamicCache(layers)
