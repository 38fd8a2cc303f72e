"""Which versions of a model to serve: TF Serving's `model_version_policy`.

`latest { num_versions: N }` (the default, N = 1), `all {}` and
`specific { versions: [...] }`, as in `FileSystemStoragePathSourceConfig.ServableVersionPolicy`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tensorflow_serving.config import file_system_storage_path_source_pb2

ServableVersionPolicy = (
    file_system_storage_path_source_pb2.FileSystemStoragePathSourceConfig.ServableVersionPolicy
)
POLICY_KINDS = ("latest", "all", "specific")


@dataclass(frozen=True)
class VersionPolicy:
    """A version policy.

    Attributes:
        kind: "latest", "all" or "specific".
        count: how many of the highest versions to serve ("latest").
        versions: the versions to serve ("specific").
    """

    kind: str = "latest"
    count: int = 1
    versions: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in POLICY_KINDS:
            raise ValueError(f"version policy must be one of {POLICY_KINDS}, got {self.kind!r}")
        if self.kind == "latest" and self.count < 1:
            raise ValueError(f"latest version policy: num_versions must be >= 1, got {self.count}")
        if self.kind == "specific" and not self.versions:
            raise ValueError("specific version policy: list at least one version")

    def select(self, available: Iterable[int]) -> list[int]:
        """The versions to serve among the `available` ones, ascending."""
        versions = sorted(set(available))
        if self.kind == "all":
            return versions
        if self.kind == "specific":
            return [version for version in versions if version in self.versions]
        return versions[-self.count :]

    @classmethod
    def from_proto(cls, proto: ServableVersionPolicy) -> VersionPolicy:
        """From a models.config `model_version_policy` (unset -> latest 1)."""
        choice = proto.WhichOneof("policy_choice")
        if choice == "all":
            return cls("all")
        if choice == "specific":
            return cls("specific", versions=tuple(int(v) for v in proto.specific.versions))
        if choice == "latest":
            return cls("latest", count=int(proto.latest.num_versions) or 1)
        return cls()

    def describe(self) -> str:
        """Human-readable form, for logs and error messages."""
        if self.kind == "latest":
            return f"latest {self.count}"
        if self.kind == "specific":
            return f"specific {list(self.versions)}"
        return "all"
