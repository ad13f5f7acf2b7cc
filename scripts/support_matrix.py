"""Print the README's image support matrix (families × versions × regions) from the bundled data.

    .venv/bin/python scripts/support_matrix.py

One Markdown row per image family of ``sagemaker_hf.image_uris``: its scopes, how many
versions it has (oldest to newest), its processors, and in how many regions of which AWS
partitions it exists. Re-run it after refreshing ``image_uris/`` and paste the table into
the README's "Support matrix".
"""

from __future__ import annotations

from sagemaker_hf import image_uris

# Region name prefix -> AWS partition; the first match wins, so longer prefixes come first.
PARTITIONS = (
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-isof-", "aws-iso-f"),
    ("us-iso-", "aws-iso"),
    ("eu-isoe-", "aws-iso-e"),
    ("eusc-", "aws-eusc"),
    ("cn-", "aws-cn"),
)
COMMERCIAL = "aws"


def partition(region: str) -> str:
    return next((name for prefix, name in PARTITIONS if region.startswith(prefix)), COMMERCIAL)


def family_row(family: str) -> str:
    images = image_uris.list_images(family)
    versions = image_uris.list_versions(family)
    processors = sorted({processor for image in images for processor in image.processors})
    regions = sorted({region for image in images for region in image.regions})
    counts: dict[str, int] = {}
    for region in regions:
        counts[partition(region)] = counts.get(partition(region), 0) + 1
    partitions = ", ".join(f"{name} ({count})" for name, count in sorted(counts.items()))
    span = versions[0] if len(versions) == 1 else f"{versions[0]} – {versions[-1]}"
    return (
        f"| `{family}` | {', '.join(image_uris.list_scopes(family))} | {len(versions)}: {span} "
        f"| {', '.join(processors)} | {len(regions)} | {partitions} |"
    )


def main() -> None:
    print("| family | scopes | versions | processors | regions | partitions (regions) |")
    print("|---|---|---|---|---|---|")
    for family in image_uris.list_frameworks():
        print(family_row(family))


if __name__ == "__main__":
    main()
