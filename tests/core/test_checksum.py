"""One file hash for the whole core (weights cache keys, training data fingerprints)."""

from stdpose_core.checksum import file_sha256


def test_sha256_of_file(tmp_path):
    f = tmp_path / "a"
    f.write_bytes(b"abc")
    assert file_sha256(f) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_sha256_reads_in_chunks(tmp_path):
    f = tmp_path / "b"
    f.write_bytes(b"abc" * 1000)
    assert file_sha256(f, chunk=7) == file_sha256(f)
