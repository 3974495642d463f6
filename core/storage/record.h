// Record framing, of the WAL and of the simulated backend's file.
//
//   u32 length | u8 type | u32 header_crc | u32 data_crc | payload (length bytes)
//
// Little-endian. header_crc covers length and type, so a length can be
// trusted before the payload is read. data_crc is chained: it extends the
// previous record's data_crc over type and payload, so a record that is
// missing, duplicated or out of place breaks the chain even if it is intact.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace raftlab::storage {

inline constexpr size_t kRecordHeaderBytes = 13;
inline constexpr uint32_t kMaxRecordBytes = 256u << 20;

enum class RecordType : uint8_t {
  kSegmentHeader = 1,  // payload: u64 sequence | u32 chain value before this segment
  kEntry = 2,          // payload: raftpb::Entry
  kHardState = 3,      // payload: raftpb::HardState
  // The node installed a snapshot from its leader: its log was reset to
  // (index, term). Payload: u64 index | u64 term.
  kSnapshotInstalled = 4,
  // Not in a WAL: one committed batch of a FileBackend (core/backend).
  kBackendBatch = 5,
};

struct Record {
  RecordType type = RecordType::kEntry;
  std::string payload;
};

// Appends the framed record to *out; returns the new chain value.
uint32_t EncodeRecord(RecordType type, std::string_view payload, uint32_t prev_crc,
                      std::string* out);

enum class DecodeStatus : uint8_t {
  kOk,
  kIncomplete,  // the bytes end inside this record: a torn or partial write
  kCorrupt,     // a checksum or field is wrong
};

struct DecodeResult {
  DecodeStatus status = DecodeStatus::kOk;
  Record record;
  size_t next_offset = 0;  // kOk: where the next record starts
  uint32_t crc = 0;        // kOk: the chain value after this record
  std::string why;         // kCorrupt: what is wrong
};

// Decodes the record at `offset` of `bytes`, whose chain starts at prev_crc.
DecodeResult DecodeRecord(std::string_view bytes, size_t offset, uint32_t prev_crc);

// Little-endian helpers shared by the storage formats.
void PutU32(std::string* out, uint32_t v);
void PutU64(std::string* out, uint64_t v);
uint32_t GetU32(std::string_view in, size_t offset);
uint64_t GetU64(std::string_view in, size_t offset);

}  // namespace raftlab::storage
