// The store against the naive reference model (tests/core/mvcc/model.h) over
// random sequences of put / delete / txn / compact / range-at-revision: every
// response field and every status must agree, and at the end every revision
// from C to R reads the same, before and after a snapshot round trip.
#include <map>
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

// The store's change events (the watch layer's input) against the model:
// the last event per key gives the key's new state, and every key whose
// state differs between the two revisions has an event.
void ChangesMatchModel(const std::vector<mvccpb::Event>& changes, const Model& model,
                       int64_t before) {
  if (model.revision() == before) {
    RC_ASSERT(changes.empty());
    return;
  }
  const ModelState& old_state = model.StateAt(before);
  const ModelState& new_state = model.StateAt(model.revision());
  std::map<std::string, const mvccpb::Event*> last;
  for (const auto& e : changes) {
    RC_ASSERT(e.kv().mod_revision() == model.revision());
    last[e.kv().key()] = &e;
  }
  for (const auto& [key, e] : last) {
    auto it = new_state.find(key);
    if (e->type() == mvccpb::Event::DELETE) {
      RC_ASSERT(it == new_state.end());
      RC_ASSERT(e->kv().value().empty());
      continue;
    }
    RC_ASSERT(it != new_state.end());
    RC_ASSERT(e->kv().value() == it->second.value);
    RC_ASSERT(e->kv().version() == it->second.version);
    RC_ASSERT(e->kv().create_revision() == it->second.create);
    RC_ASSERT(e->kv().lease() == it->second.lease);
  }
  for (const auto& [key, kv] : new_state) {
    auto it = old_state.find(key);
    if (it == old_state.end() || it->second.mod != kv.mod) RC_ASSERT(last.count(key) == 1u);
  }
  for (const auto& [key, kv] : old_state) {
    if (new_state.count(key) == 0) RC_ASSERT(last.count(key) == 1u);
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
  ChangesMatchModel(store->TakeChanges(), *model, before);
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
