"""feature-extraction batches packed into shared rows (see :mod:`packing`).

The pipeline pads a batch to its longest text and computes token states for the padding too.
Length chunks (base.length_chunks) shrink that waste; packing removes it. On
all-MiniLM-L6-v2, 32 short sentences took 80 ms packed against 115-125 ms through the
pipeline in length chunks (2 threads), with token states equal to 3.4e-6.

Each text's answer is what the pipeline returns for it alone: ``[[token vector, ...]]``, one
row of its own tokens. Packing is used only for the calls it can answer exactly so (texts
with the default tokenizer options: ``truncation`` alone), and only when the model's token
states packed match the ones it gives each probe sentence alone (:func:`packing.verify`, run
at the first batch); every other call keeps the pipeline. When packing saves no padding (a
few texts, or texts of similar lengths), the same code runs one text per row in length
chunks, padded as the pipeline pads them: its forward calls are marked for lanes
(:func:`lanes.model_call`), where the pipeline's ran inside the gate and held up the other
lane (a fifth of two lanes' time under 32 clients), and its answers can be arrays.

With ``arrays``, each text's token states are a float64 numpy array instead of lists of
floats: the toolkit's encoders write it as the same JSON, byte for byte, without building
thousands of Python floats per answer (``tolist`` and the walks over its result took ~0.5 ms
of the ~4.7 ms a 32-client worker spent per all-MiniLM-L6-v2 answer). Only the handler asks
for them, and only when no user hook sees the predictions.
"""

from __future__ import annotations

import logging
from typing import Any

from sagemaker_hf.toolkit import lanes
from sagemaker_hf.toolkit.tasks import packing
from sagemaker_hf.toolkit.tasks.base import length_chunks

logger = logging.getLogger(__name__)


class PackedTokenStates:
    """A feature-extraction pipeline's token states, several texts per row."""

    def __init__(self, pipeline: Any) -> None:
        self.pipeline = pipeline
        self._mask_form: str | None = None
        self._probed = False

    def answers(self, texts: list[Any], parameters: dict[str, Any], arrays: bool = False) -> list[Any] | None:
        """One answer per text, in order (``[token states]``, as lists or, with ``arrays``, as a
        float64 array); None when the call needs the pipeline: tokenizer options other than
        ``truncation``, inputs that are not texts, a slow tokenizer, or a model whose token
        states the packing probe found changed."""
        if set(parameters) - {"truncation"} or not all(isinstance(text, str) for text in texts):
            return None
        truncation = parameters.get("truncation", False)
        if not isinstance(truncation, bool) or not getattr(self.pipeline.tokenizer, "is_fast", False):
            return None
        mask_form = self._mask_form_once()
        if mask_form is None:
            return None
        encoded = self.pipeline.tokenizer(texts, truncation=truncation)
        lengths = [len(ids) for ids in encoded["input_ids"]]
        calls = packing.plan_calls(lengths)
        if not packing.worth_packing(lengths, calls):
            calls = [[[index] for index in chunk] for chunk in length_chunks(lengths)]
        states = self._packed_states(encoded, calls, mask_form)
        if arrays:
            import torch

            # float64 holds every float32 (and half) value exactly, as the floats tolist gives do.
            # A text of no tokens stays a list: as an array, its .npy answer would change shape.
            return [[rows.to(torch.float64).numpy() if len(rows) else []] for rows in states]
        return [[rows.tolist()] for rows in states]

    def _mask_form_once(self) -> str | None:
        if not self._probed:
            import torch

            with torch.inference_mode(), lanes.pinned():  # one probe, before any lane packs
                self._mask_form, reason = packing.verify(self._alone, self._packed_probe)
            self._probed = True
            logger.info("feature-extraction packing %s: %s", "on" if self._mask_form else "off", reason)
        return self._mask_form

    def _alone(self, text: str) -> Any:
        import torch

        return torch.tensor(self.pipeline(text, truncation=True)[0])

    def _packed_probe(self, texts: list[str], mask_form: str) -> list[Any]:
        encoded = self.pipeline.tokenizer(texts, truncation=True)
        calls = packing.plan_calls([len(ids) for ids in encoded["input_ids"]])
        return self._packed_states(encoded, calls, mask_form)

    def _packed_states(self, encoded: Any, calls: list[list[list[int]]], mask_form: str) -> list[Any]:
        """Each text's token states (tokens × hidden), in the order of ``encoded``."""
        import torch

        model = self.pipeline.model
        states: list[Any] = [None] * len(encoded["input_ids"])
        with torch.inference_mode():
            for group in calls:
                members = [index for row in group for index in row]
                local = {index: position for position, index in enumerate(members)}
                subset = {name: [values[index] for index in members] for name, values in encoded.items()}
                rows = [[local[index] for index in row] for row in group]
                inputs, spans = packing.pack(subset, rows, mask_form, model.dtype)
                with lanes.model_call():
                    output = model(**{name: tensor.to(model.device) for name, tensor in inputs.items()})
                hidden = output.last_hidden_state.cpu()
                for index, span in zip(members, spans, strict=True):
                    states[index] = hidden[span.row, span.start : span.start + span.length]
        return states
