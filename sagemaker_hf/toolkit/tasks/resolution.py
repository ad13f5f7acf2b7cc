"""Which task to serve: ``HF_TASK`` first, then a sentence-transformers layout, then
``config.json`` ``architectures[0]`` against an ordered table (the first match wins).

A sentence-transformers checkpoint (``modules.json`` or ``1_Pooling/config.json``) without
HF_TASK serves ``sentence-embeddings``: what the checkpoint is for, and what the Hugging Face
toolkit serves (the AWS toolkit cannot infer any task from its ``BertModel``).
``HF_TASK=feature-extraction`` still gives the token-level pipeline output.

Beyond the contract's table there are rows for audio classifiers named
``*ForSequenceClassification``, speech seq2seq models, vision tasks, CLIP-style models, and
bare encoders (``BertModel`` → feature-extraction).

No torch or transformers here: the front process may call it, and nothing writes ``os.environ``.
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path

from sagemaker_hf.toolkit.errors import ModelLoadError
from sagemaker_hf.toolkit.tasks import names

# Audio encoders whose ``*ForSequenceClassification`` heads classify sounds, not text.
_AUDIO_ENCODERS = "|".join(
    [
        "Wav2Vec2",
        "Wav2Vec2Conformer",
        "Wav2Vec2Bert",
        "Hubert",
        "WavLM",
        "Data2VecAudio",
        "UniSpeech",
        "UniSpeechSat",
        "SEW",
        "SEWD",
        "Whisper",
    ]
)
_SPEECH_SEQ2SEQ = "Whisper|Speech2Text|Moonshine|Qwen2Audio|SpeechT5"
_ZERO_SHOT_IMAGE = "CLIP|AltCLIP|ChineseCLIP|Siglip|Siglip2|Align|CLIPSeg|MetaClip2"

# (pattern on architectures[0], task), most specific first: the first match wins.
ARCHITECTURE_TASKS: tuple[tuple[str, str], ...] = (
    (r"^Tapas\w*ForQuestionAnswering$", "table-question-answering"),
    (r"ForQuestionAnswering$", "question-answering"),
    (rf"^({_AUDIO_ENCODERS})ForSequenceClassification$", "audio-classification"),
    (r"ForAudioClassification$", "audio-classification"),
    (r"ForTokenClassification$", "token-classification"),
    (r"ForSequenceClassification$", "text-classification"),
    (r"ForMaskedLM$", "fill-mask"),
    (r"ForCTC$", "automatic-speech-recognition"),
    (rf"^({_SPEECH_SEQ2SEQ})For(ConditionalGeneration|SpeechToText)$", "automatic-speech-recognition"),
    (r"ForSpeechSeq2Seq$|^SpeechEncoderDecoderModel$", "automatic-speech-recognition"),
    (r"WithLMHeadModel$", "text2text-generation"),
    (r"ForCausalLM$|LMHeadModel$", "text-generation"),
    (r"ForConditionalGeneration$|MTModel$|^EncoderDecoderModel$", "text2text-generation"),
    (r"ForImageClassification(WithTeacher)?$", "image-classification"),
    (r"For(Semantic|Instance|Universal|Panoptic)?Segmentation$", "image-segmentation"),
    (r"ForObjectDetection$", "object-detection"),
    (rf"^({_ZERO_SHOT_IMAGE})Model$", "zero-shot-image-classification"),
    (r"^VisionEncoderDecoderModel$", "image-to-text"),
    # A bare encoder (BertModel, MPNetModel, …) has no head: its hidden states are the product.
    (r"[a-z0-9]Model$", "feature-extraction"),
)

# Files that mark a sentence-transformers checkpoint.
SENTENCE_TRANSFORMERS_MARKERS = ("modules.json", "1_Pooling/config.json")


def resolve_task(model_dir: Path, hf_task: str | None) -> str:
    """The canonical task for ``model_dir``; ``hf_task`` (HF_TASK) wins when set.

    Raises ModelLoadError listing the tasks, and saying to set HF_TASK, when nothing matches.
    """
    if hf_task is not None and hf_task.strip():
        return canonical_task(hf_task)
    model_dir = Path(model_dir)
    if is_sentence_transformers_model(model_dir):
        return "sentence-embeddings"
    architecture = _first_architecture(model_dir)
    task = task_for_architecture(architecture)
    if task is None:
        raise ModelLoadError(
            f"cannot infer the task from architecture {architecture!r} in {model_dir / 'config.json'}. "
            f"Set HF_TASK to one of: {_task_list()}."
        )
    return task


def canonical_task(hf_task: str) -> str:
    """Normalise an HF_TASK value: aliases resolved, ``translation_xx_to_yy`` kept with its languages."""
    stripped = hf_task.strip()
    if names.translation_languages(stripped):
        return stripped
    task = stripped.lower().replace("_", "-")
    task = names.ALIASES.get(task, task)
    if task in names.CANONICAL_TASKS:
        return task
    close = difflib.get_close_matches(task, [*names.CANONICAL_TASKS, *names.ALIASES], n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ModelLoadError(
        f"HF_TASK={hf_task!r} is not a supported task.{hint} Set HF_TASK to one of: {_task_list()}."
    )


def task_for_architecture(architecture: str) -> str | None:
    for pattern, task in ARCHITECTURE_TASKS:
        if re.search(pattern, architecture):
            return task
    return None


def is_sentence_transformers_model(model_dir: Path) -> bool:
    return any((Path(model_dir) / marker).is_file() for marker in SENTENCE_TRANSFORMERS_MARKERS)


def _first_architecture(model_dir: Path) -> str:
    config_path = model_dir / "config.json"
    if not config_path.is_file():
        raise ModelLoadError(
            f"HF_TASK is not set and {model_dir} has no config.json to infer the task from. "
            f"Set HF_TASK to one of: {_task_list()}."
        )
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelLoadError(f"cannot read {config_path}: {error}. Fix the file or set HF_TASK.") from error
    architectures = config.get("architectures") if isinstance(config, dict) else None
    if not architectures or not isinstance(architectures[0], str):
        raise ModelLoadError(
            f"HF_TASK is not set and {config_path} names no architectures to infer the task from. "
            f"Set HF_TASK to one of: {_task_list()}."
        )
    return architectures[0]


def _task_list() -> str:
    return ", ".join(names.DOCUMENTED_TASKS)
