"""Tiny random vision and audio models: ViT, Segformer, YOLOS, CLIP and Wav2Vec2.

Images are 32x32, audio is 16 kHz. Image processors are the plain (PIL/numpy) classes, so
no torchvision is needed.
"""

from __future__ import annotations

import json
import string
from pathlib import Path

from sagemaker_hf.testing import tokenizers
from sagemaker_hf.testing.text_models import labels, save_model, seeded

IMAGE_SIZE = 32
SAMPLING_RATE = 16_000
IMAGE_LABELS = ["cat", "dog"]
SEGMENT_LABELS = ["background", "cat", "dog"]
DETECTION_LABELS = ["N/A", "cat", "dog", "remote"]
AUDIO_LABELS = ["yes", "no", "up", "down"]

_VIT = {
    "image_size": IMAGE_SIZE,
    "patch_size": 8,
    "num_channels": 3,
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "intermediate_size": 37,
}
_IMAGENET = {"image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5]}


def build_vit_classifier(directory: Path) -> Path:
    import transformers

    transformers.ViTImageProcessor(
        size={"height": IMAGE_SIZE, "width": IMAGE_SIZE}, **_IMAGENET
    ).save_pretrained(directory)
    config = transformers.ViTConfig(**_VIT, **labels(IMAGE_LABELS))
    seeded()
    return save_model(transformers.ViTForImageClassification(config), directory)


def build_segformer(directory: Path) -> Path:
    import transformers

    transformers.SegformerImageProcessor(
        size={"height": IMAGE_SIZE, "width": IMAGE_SIZE}, **_IMAGENET
    ).save_pretrained(directory)
    config = transformers.SegformerConfig(
        num_channels=3,
        num_encoder_blocks=2,
        depths=[1, 1],
        sr_ratios=[2, 1],
        hidden_sizes=[16, 32],
        patch_sizes=[7, 3],
        strides=[4, 2],
        num_attention_heads=[1, 2],
        mlp_ratios=[2, 2],
        decoder_hidden_size=32,
        **labels(SEGMENT_LABELS),
    )
    seeded()
    return save_model(transformers.SegformerForSemanticSegmentation(config), directory)


def build_yolos(directory: Path) -> Path:
    import transformers

    transformers.YolosImageProcessor(
        size={"shortest_edge": IMAGE_SIZE, "longest_edge": IMAGE_SIZE}, **_IMAGENET
    ).save_pretrained(directory)
    config = transformers.YolosConfig(
        **{**_VIT, "image_size": [IMAGE_SIZE, IMAGE_SIZE]}, num_detection_tokens=4, **labels(DETECTION_LABELS)
    )
    seeded()
    return save_model(transformers.YolosForObjectDetection(config), directory)


def build_clip(directory: Path) -> Path:
    """CLIP with the tiny WordPiece tokenizer; its end-of-text token is [SEP]."""
    import transformers

    vocab_size = tokenizers.save_wordpiece_tokenizer(directory, model_max_length=64, token_type_ids=False)
    sep_id = tokenizers.wordpiece_vocab().index("[SEP]")
    transformers.CLIPImageProcessor(
        size={"shortest_edge": IMAGE_SIZE}, crop_size={"height": IMAGE_SIZE, "width": IMAGE_SIZE}, **_IMAGENET
    ).save_pretrained(directory)
    text = {
        "vocab_size": vocab_size,
        "hidden_size": 32,
        "intermediate_size": 37,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "max_position_embeddings": 64,
        "bos_token_id": tokenizers.wordpiece_vocab().index("[CLS]"),
        "eos_token_id": sep_id,
        "pad_token_id": 0,
    }
    vision = {key: value for key, value in _VIT.items() if key != "num_channels"}
    config = transformers.CLIPConfig(text_config=text, vision_config=vision, projection_dim=16)
    seeded()
    return save_model(transformers.CLIPModel(config), directory)


_WAV2VEC2 = {
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "intermediate_size": 37,
    "conv_dim": (32, 32, 32),
    "conv_stride": (4, 4, 4),
    "conv_kernel": (8, 8, 8),
    "num_conv_pos_embeddings": 16,
    "num_conv_pos_embedding_groups": 2,
    "feat_extract_norm": "layer",
    "do_stable_layer_norm": True,
    "mask_time_prob": 0.0,
}


def _save_feature_extractor(directory: Path) -> None:
    import transformers

    transformers.Wav2Vec2FeatureExtractor(
        feature_size=1,
        sampling_rate=SAMPLING_RATE,
        padding_value=0.0,
        do_normalize=True,
        return_attention_mask=True,
    ).save_pretrained(directory)


def build_wav2vec2_ctc(directory: Path) -> Path:
    """Speech recognition: a character vocabulary with Wav2Vec2CTCTokenizer."""
    import transformers

    directory.mkdir(parents=True, exist_ok=True)
    characters = ["<pad>", "<s>", "</s>", "<unk>", "|", *string.ascii_uppercase, "'"]
    vocab = {character: index for index, character in enumerate(characters)}
    (directory / "vocab.json").write_text(json.dumps(vocab))
    tokenizer = transformers.Wav2Vec2CTCTokenizer(str(directory / "vocab.json"), word_delimiter_token="|")
    tokenizer.save_pretrained(directory)
    _save_feature_extractor(directory)
    config = transformers.Wav2Vec2Config(vocab_size=len(vocab), pad_token_id=0, **_WAV2VEC2)
    seeded()
    return save_model(transformers.Wav2Vec2ForCTC(config), directory)


def build_wav2vec2_classifier(directory: Path) -> Path:
    import transformers

    directory.mkdir(parents=True, exist_ok=True)
    _save_feature_extractor(directory)
    config = transformers.Wav2Vec2Config(classifier_proj_size=16, **_WAV2VEC2, **labels(AUDIO_LABELS))
    seeded()
    return save_model(transformers.Wav2Vec2ForSequenceClassification(config), directory)
