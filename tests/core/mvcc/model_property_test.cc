// The store against the naive reference model (tests/core/mvcc/model.h) over
// random sequences of put / delete / txn / compact / range-at-revision: every
// response field and every status must agree, and at the end every revision
// from C to R reads the same, before and after a snapshot round trip.
#include <string>
#include <vector>

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include "core/mvcc/hash.h"
#include "core/mvcc/kv_store.h"
#include "core/mvcc/snapshot.h"
#include "tests/core/mvcc/fake_leases.h"
#include "tests/core/mvcc/model.h"
#include "tests/core/mvcc/op_gen.h"
#include "tests/core/mvcc/rc_cases.h"

namespace raftlab::mvcc::testing {
namespace {

using google::protobuf::util::MessageDifferencer;

template <class A, class B>
void Agree(const std::string& what, const Outcome<A>& store, const ModelOutcome<B>& model) {
  if (store.status != model.status) {
    RC_FAIL(what + "\nstatus: store=" + KvStatusName(store.status) +
            " model=" + KvStatusName(model.status));
  }
  if (store.ok() && !MessageDifferencer::Equals(store.response, model.response)) {
    RC_FAIL(what + "\nstore: " + store.response.ShortDebugString() +
            "\nmodel: " + model.response.ShortDebugString());
  }
}

// What a case exercised, for RapidCheck's distribution report.
struct Coverage {
  bool compacted = false;  // a successful Compact
  bool txn_wrote = false;  // a txn that advanced R
  bool old_read = false;   // a successful read below R
};

void Apply(const Op& op, KvStore* store, Model* model, Coverage* cov) {
  const std::string what = op.Describe();
  const int64_t before = model->revision();
  switch (op.kind) {
    case Op::kRange:
      Agree(what, store->Range(op.range), model->Range(op.range));
      break;
    case Op::kPut:
      Agree(what, store->Put(op.put), model->Put(op.put));
      break;
    case Op::kDelete:
      Agree(what, store->DeleteRange(op.del), model->DeleteRange(op.del));
      break;
    case Op::kTxn:
      Agree(what, store->Txn(op.txn), model->Txn(op.txn));
      break;
    case Op::kCompact:
      Agree(what, store->Compact(op.compact), model->Compact(op.compact));
      break;
  }
  store->CheckInvariants();
  RC_ASSERT(store->current_revision() == model->revision());
  RC_ASSERT(store->compact_revision() == model->compact_revision());
  if (op.kind == Op::kTxn && model->revision() > before) cov->txn_wrote = true;
  if (op.kind == Op::kCompact && model->compact_revision() == op.compact.revision()) {
    cov->compacted = true;
  }
  if (op.kind == Op::kRange && op.range.revision() > 0 && op.range.revision() < before &&
      op.range.revision() >= model->compact_revision()) {
    cov->old_read = true;
  }
}

// Every revision the store still serves reads exactly as the model's.
void AllRevisionsAgree(const KvStore& store, const Model& model, const std::string& label) {
  for (int64_t rev = std::max<int64_t>(1, model.compact_revision()); rev <= model.revision();
       ++rev) {
    etcdserverpb::RangeRequest all;
    all.set_key(std::string(1, '\0'));
    all.set_range_end(std::string(1, '\0'));
    all.set_revision(rev);
    Agree(label + " read all at " + std::to_string(rev), store.Range(all), model.Range(all));
  }
}

TEST(MvccModel, StoreAgreesWithNaiveModel) {
  raftlab::testing::CheckProperty(1000, [] {
    // Scaled up so most cases run long histories with compactions.
    const auto tapes =
        *rc::gen::scale(3.0, rc::gen::arbitrary<std::vector<std::vector<uint8_t>>>());
    FakeLeases leases({1, 2});
    KvStore store(&leases);
    Model model({1, 2});
    Coverage cov;
    for (const auto& bytes : tapes) {
      Tape tape(bytes);
      Apply(BuildOp(&tape, model.revision(), model.compact_revision()), &store, &model, &cov);
    }
    RC_TAG(cov.compacted ? "compacted" : "-", cov.txn_wrote ? "txn-wrote" : "-",
           cov.old_read ? "historical-read" : "-");
    AllRevisionsAgree(store, model, "live");
    Result<KvStore> restored = DecodeSnapshot(EncodeSnapshot(store));
    if (!restored) RC_FAIL("snapshot did not restore: " + restored.error().ToString());
    restored->CheckInvariants();
    AllRevisionsAgree(*restored, model, "restored");
    RC_ASSERT(HashKv(*restored, 0).hash == HashKv(store, 0).hash);
    RC_ASSERT(EncodeSnapshot(*restored) == EncodeSnapshot(store));
  });
}

}  // namespace
}  // namespace raftlab::mvcc::testing
