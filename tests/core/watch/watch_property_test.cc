// The six watch guarantees of SEMANTICS.md S7 (etcd's API guarantees:
// ordered, unique, reliable, atomic, resumable, bookmarkable), each a
// RapidCheck property over random write streams with watches created at
// random revisions, compactions, cancels and resumes (tests/core/watch/
// watch_sim.h). Expected events come from the simulation's own record of the
// history, never from the watch layer.
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include "tests/core/mvcc/rc_cases.h"
#include "tests/core/watch/watch_sim.h"

namespace raftlab::watch::testing {
namespace {

constexpr int kCases = 300;

using Tapes = std::vector<std::vector<uint8_t>>;

// Longer workloads than the default sizes, so watches see many revisions.
Tapes GenTapes() { return *rc::gen::scale(4.0, rc::gen::arbitrary<Tapes>()); }

bool CanceledByCompaction(const WatchRecord& w) {
  return !w.stream.empty() && w.stream.back().canceled() && w.stream.back().compact_revision() > 0;
}

std::string Where(const WatchRecord& w) {
  return "watch " + std::to_string(w.watch_id) + " " + w.req.ShortDebugString() +
         " created at R=" + std::to_string(w.created_at_revision);
}

// Ordered: events arrive in (revision, sub) order -- revisions never go
// back, and within a revision the order is the execution order.
TEST(WatchGuarantees, Ordered) {
  raftlab::testing::CheckProperty(kCases, [] {
    WatchSim sim(GenTapes());
    for (const WatchRecord& w : sim.watches()) {
      const auto got = ReceivedEvents(w);
      for (size_t i = 1; i < got.size(); ++i) {
        RC_ASSERT(got[i - 1].kv().mod_revision() <= got[i].kv().mod_revision());
      }
      for (size_t i = 0; i < got.size();) {
        const int64_t rev = got[i].kv().mod_revision();
        const auto want = sim.ExpectedAt(w, rev, got);
        for (size_t j = 0; j < want.size() && i < got.size(); ++j, ++i) {
          if (!SameEvent(got[i], want[j]))
            RC_FAIL(Where(w) + ": out of order at rev " + std::to_string(rev));
        }
      }
    }
  });
}

// Unique: no change is delivered twice on one watch.
TEST(WatchGuarantees, Unique) {
  raftlab::testing::CheckProperty(kCases, [] {
    WatchSim sim(GenTapes());
    for (const WatchRecord& w : sim.watches()) {
      std::set<std::tuple<int64_t, std::string, int>> seen;
      for (const auto& e : ReceivedEvents(w)) {
        const bool fresh = seen.insert({e.kv().mod_revision(), e.kv().key(), e.type()}).second;
        if (!fresh) RC_FAIL(Where(w) + ": duplicate " + e.ShortDebugString());
      }
    }
  });
}

// Reliable: no gaps. A watch that ran to the end received exactly every
// matching change from its start; one canceled on the way received a prefix.
// A future start never sees an older event.
TEST(WatchGuarantees, Reliable) {
  raftlab::testing::CheckProperty(kCases, [] {
    WatchSim sim(GenTapes());
    size_t events = 0;
    for (const WatchRecord& w : sim.watches()) events += ReceivedEvents(w).size();
    RC_TAG(sim.watches().size() < 3 ? "watches<3" : "watches>=3",
           events < 10 ? "events<10" : "events>=10");
    for (const WatchRecord& w : sim.watches()) {
      const auto got = ReceivedEvents(w);
      const auto want = sim.Expected(w, w.start, got);
      RC_ASSERT(got.size() <= want.size());
      for (size_t i = 0; i < got.size(); ++i) {
        RC_ASSERT(got[i].kv().mod_revision() >= w.start);
        if (!SameEvent(got[i], want[i])) {
          RC_FAIL(Where(w) + ": event " + std::to_string(i) + " got " + got[i].ShortDebugString() +
                  " want " + want[i].ShortDebugString());
        }
      }
      const bool ended = w.user_canceled || CanceledByCompaction(w);
      if (!ended && got.size() != want.size()) {
        RC_FAIL(Where(w) + ": got " + std::to_string(got.size()) + " events, want " +
                std::to_string(want.size()));
      }
      if (w.start < w.created_at_compact) {
        RC_ASSERT(w.stream.size() == 2u);  // created, then canceled (S7.1)
        RC_ASSERT(w.stream[1].canceled());
        RC_ASSERT(w.stream[1].compact_revision() == w.created_at_compact);
      }
    }
  });
}

// Atomic: a revision is never split across responses, except as consecutive
// fragments (all but the last with fragment = true) when asked for. A chain
// of fragments (or one response) may hold several whole revisions, as a
// catch-up response does.
TEST(WatchGuarantees, Atomic) {
  raftlab::testing::CheckProperty(kCases, [] {
    WatchSim sim(GenTapes());
    for (const WatchRecord& w : sim.watches()) {
      std::vector<mvccpb::Event> pending;  // events of the revision being assembled
      for (const auto& resp : w.stream) {
        if (resp.events_size() == 0) {
          RC_ASSERT(pending.empty());  // nothing may interrupt a fragmented revision
          continue;
        }
        if (resp.fragment()) RC_ASSERT(w.req.fragment());
        for (const auto& e : resp.events()) pending.push_back(e);
        if (resp.fragment()) continue;
        // A complete response: each revision in it must be whole.
        std::map<int64_t, size_t> counts;
        for (const auto& e : pending) ++counts[e.kv().mod_revision()];
        for (const auto& [rev, n] : counts) {
          if (n != sim.ExpectedAt(w, rev, ReceivedEvents(w)).size())
            RC_FAIL(Where(w) + ": split revision " + std::to_string(rev));
        }
        pending.clear();
      }
      RC_ASSERT(pending.empty());
    }
  });
}

// Resumable: a watch restarted at last_revision + 1 after a cancel continues
// seamlessly: old events followed by new ones are exactly the history.
TEST(WatchGuarantees, Resumable) {
  raftlab::testing::CheckProperty(kCases, [] {
    WatchSim sim(GenTapes());
    for (const WatchRecord& w : sim.watches()) {
      if (w.resumed_from < 0 || w.user_canceled || CanceledByCompaction(w)) continue;
      const WatchRecord& first = sim.watches()[static_cast<size_t>(w.resumed_from)];
      auto joined = ReceivedEvents(first);
      for (const auto& e : ReceivedEvents(w)) joined.push_back(e);
      const auto want = sim.Expected(first, first.start, joined);
      RC_ASSERT(joined.size() == want.size());
      for (size_t i = 0; i < want.size(); ++i) RC_ASSERT(SameEvent(joined[i], want[i]));
    }
  });
}

// Bookmarkable: a progress response at p comes only after every event <= p
// has been delivered, and never below a revision already sent.
TEST(WatchGuarantees, Bookmarkable) {
  raftlab::testing::CheckProperty(kCases, [] {
    WatchSim sim(GenTapes());
    for (const WatchRecord& w : sim.watches()) {
      const auto want = sim.Expected(w, w.start, ReceivedEvents(w));
      size_t delivered = 0;
      int64_t high = 0;
      for (const auto& resp : w.stream) {
        for (const auto& e : resp.events()) {
          RC_ASSERT(e.kv().mod_revision() > high || e.kv().mod_revision() == high);
          high = e.kv().mod_revision();
          ++delivered;
        }
        const bool bookmark = resp.events_size() == 0 && !resp.created() && !resp.canceled();
        if (!bookmark) continue;
        const int64_t p = resp.header().revision();
        if (p < high)
          RC_FAIL(Where(w) + ": bookmark " + std::to_string(p) + " below " + std::to_string(high));
        size_t due = 0;
        while (due < want.size() && want[due].kv().mod_revision() <= p) ++due;
        if (delivered != due)
          RC_FAIL(Where(w) + ": bookmark " + std::to_string(p) + " before all events");
        high = p;
      }
    }
  });
}

// S7.3 / S7.4 / S7.5: DELETE events carry only {key, mod_revision}; prev_kv
// is the state at revision - 1 (absent only for a create or when compacted);
// filtered-away events never arrive (checked by Reliable's exact match).
TEST(WatchGuarantees, EventShapeAndPrevKv) {
  raftlab::testing::CheckProperty(kCases, [] {
    WatchSim sim(GenTapes());
    for (const WatchRecord& w : sim.watches()) {
      for (const auto& e : ReceivedEvents(w)) {
        const int64_t rev = e.kv().mod_revision();
        if (e.type() == mvccpb::Event::DELETE) {
          RC_ASSERT(e.kv().value().empty());
          RC_ASSERT(e.kv().version() == 0);
          RC_ASSERT(e.kv().create_revision() == 0);
        }
        if (!w.req.prev_kv()) {
          RC_ASSERT(!e.has_prev_kv());
          continue;
        }
        const mvccpb::KeyValue* before = sim.StateAt(e.kv().key(), rev - 1);
        if (e.has_prev_kv()) {
          RC_ASSERT(before != nullptr);
          RC_ASSERT(google::protobuf::util::MessageDifferencer::Equals(e.prev_kv(), *before));
        } else if (before != nullptr) {
          RC_ASSERT(rev - 1 < sim.final_compact());  // only compaction may hide it
        }
      }
    }
  });
}

}  // namespace
}  // namespace raftlab::watch::testing
