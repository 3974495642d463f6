// History readers: what they accept, and that every error names file, line
// (and column for syntax) and what was expected.
#include <string>

#include <gtest/gtest.h>

#include "checker/jepsen_reader.h"
#include "checker/jsonl_reader.h"
#include "checker/porcupine_reader.h"
#include "checker/reader.h"

namespace raftlab::checker {
namespace {

void ExpectError(const Result<History>& result, const std::string& where,
                 const std::string& what) {
  ASSERT_FALSE(result.has_value());
  const std::string& message = result.error().message;
  EXPECT_EQ(message.rfind(where, 0), 0u) << message;
  EXPECT_NE(message.find(what), std::string::npos) << message;
}

TEST(JepsenReader, MatchesInvocationsAndCompletionsByProcess) {
  const std::string text =
      "{:type :invoke, :f :write, :value 4, :process 0, :time 10, :key \"k0\"}\n"
      "{:type :invoke, :f :cas, :value [4 1], :process 1, :time 20, :key \"k0\"}\n"
      "{:type :ok, :f :write, :value 4, :process 0, :time 30, :key \"k0\"}\n"
      "{:type :info, :f :cas, :value [4 1], :process 1, :time 40, :key \"k0\", :error :timeout}\n"
      "{:type :invoke, :f :read, :value nil, :process 0, :time 50, :key \"k0\"}\n"
      "{:type :ok, :f :read, :value 1, :process 0, :time 60, :key \"k0\"}\n"
      "{:type :invoke, :f :read, :value nil, :process 2, :time 70, :key \"k1\"}\n";
  auto history = ReadJepsenEdn(text, "h.edn");
  ASSERT_TRUE(history.has_value()) << history.error().message;
  ASSERT_EQ(history->ops.size(), 4u);
  const Operation& write = history->ops[0];
  EXPECT_EQ(write.f, OpFunction::kWrite);
  EXPECT_EQ(write.invoke_ns, 10u);
  EXPECT_EQ(write.return_ns, 30u);
  EXPECT_EQ(write.input, std::vector<Value>{Value::Int(4)});
  const Operation& cas = history->ops[1];
  EXPECT_EQ(cas.status, OpStatus::kInfo);
  EXPECT_EQ(cas.return_ns, kInfinity);
  EXPECT_EQ(cas.input, (std::vector<Value>{Value::Int(4), Value::Int(1)}));
  EXPECT_EQ(history->ops[2].output, std::vector<Value>{Value::Int(1)});
  EXPECT_EQ(history->ops[3].status, OpStatus::kInfo);  // never completed
  EXPECT_EQ(history->ops[3].key, "k1");
}

TEST(JepsenReader, IndependentTuplesAndNemesisLines) {
  const std::string text =
      "{:type :invoke, :f :cas, :value [3 [1 2]], :process 0, :time 1}\n"
      "{:type :info, :f :kill, :value {:member 2}, :process :nemesis, :time 2}\n"
      "{:type :ok, :f :cas, :value [3 [1 2]], :process 0, :time 3}\n"
      "{:type :invoke, :f :read, :value [3 nil], :process 1, :time 4}\n"
      "{:type :ok, :f :read, :value [3 2], :process 1, :time 5}\n";
  auto history = ReadJepsenEdn(text, "t.edn");
  ASSERT_TRUE(history.has_value()) << history.error().message;
  ASSERT_EQ(history->ops.size(), 2u);
  EXPECT_EQ(history->ops[0].key, "3");
  EXPECT_EQ(history->ops[0].input, (std::vector<Value>{Value::Int(1), Value::Int(2)}));
  EXPECT_EQ(history->ops[1].output, std::vector<Value>{Value::Int(2)});
}

TEST(JepsenReader, ErrorsNameFileLineAndExpectation) {
  ExpectError(ReadJepsenEdn("{:type :invoke, :f :read, :value nil, :process 0, :time 1\n",
                            "a.edn"),
              "a.edn:1:58:", "expected '}'");
  ExpectError(ReadJepsenEdn("\n{:type :start, :f :read, :process 0, :time 1}\n", "b.edn"),
              "b.edn:2:", "expected :invoke, :ok, :fail or :info, found :start");
  ExpectError(ReadJepsenEdn("{:type :invoke, :f :frob, :process 0, :time 1}\n", "c.edn"),
              "c.edn:1:", "expected :read, :write or :cas");
  ExpectError(ReadJepsenEdn("{:type :invoke, :f :cas, :value 3, :process 0, :time 1}\n", "d.edn"),
              "d.edn:1:", "expected [old new]");
  ExpectError(ReadJepsenEdn("{:type :ok, :f :read, :value 3, :process 0, :time 1}\n", "e.edn"),
              "e.edn:1:", "expected an invocation for process 0");
  ExpectError(ReadJepsenEdn("{:type :invoke, :f :read, :process 0, :time 1}\n"
                            "{:type :invoke, :f :read, :process 0, :time 2}\n",
                            "f.edn"),
              "f.edn:2:", "expected a completion for process 0 (invoked on line 1)");
  ExpectError(ReadJepsenEdn("{:type :invoke, :f :read, :process 0, :time 5}\n"
                            "{:type :ok, :f :read, :value 1, :process 0, :time 4}\n",
                            "g.edn"),
              "g.edn:2:", "times never decrease");
  ExpectError(ReadJepsenEdn("{:type :invoke, :f :read, :process 0, :time 1}\n"
                            "{:type :ok, :f :write, :value 1, :process 0, :time 4}\n",
                            "h.edn"),
              "h.edn:2:", "expected :f :read");
}

TEST(PorcupineReader, UsesLineNumbersAsTimeAndRequiresKeys) {
  const std::string text =
      "{:process 0, :type :invoke, :f :append, :key \"4\", :value \"x 0 1 y\"}\n"
      "{:process 1, :type :invoke, :f :get, :key \"4\", :value nil}\n"
      "{:process 0, :type :ok, :f :append, :key \"4\", :value \"x 0 1 y\"}\n"
      "{:process 1, :type :ok, :f :get, :key \"4\", :value \"x 0 1 y\"}\n";
  auto history = ReadPorcupineKv(text, "p.txt");
  ASSERT_TRUE(history.has_value()) << history.error().message;
  ASSERT_EQ(history->ops.size(), 2u);
  EXPECT_EQ(history->ops[0].invoke_ns, 1u);
  EXPECT_EQ(history->ops[0].return_ns, 3u);
  EXPECT_EQ(history->ops[1].output, std::vector<Value>{Value::String("x 0 1 y")});
  ExpectError(ReadPorcupineKv("{:process 0, :type :invoke, :f :get, :value nil}\n", "q.txt"),
              "q.txt:1:", "expected a :key field");
  ExpectError(ReadPorcupineKv("{:process 0, :type :invoke, :f :cas, :key \"1\"}\n", "r.txt"),
              "r.txt:1:", "expected :get, :put or :append");
}

TEST(JsonlReader, ReadsOperationsAndRejectsUnknownMembers) {
  const std::string text =
      R"({"client":1,"op_id":1,"invoke_ns":5,"return_ns":9,"status":"ok","f":"put",)"
      R"("key":"a","value":"v1","revision":2})"
      "\n"
      R"({"client":2,"op_id":2,"invoke_ns":6,"return_ns":null,"status":"info","f":"txn",)"
      R"("key":"a","compare_value":"v1","value":"v2"})"
      "\n"
      R"({"client":3,"op_id":3,"invoke_ns":10,"return_ns":12,"status":"ok","f":"get",)"
      R"("key":"a","result":null,"revision":2})"
      "\n"
      R"({"client":4,"op_id":4,"invoke_ns":13,"return_ns":14,"status":"ok","f":"delete",)"
      R"("key":"a","revision":3,"deleted":1})"
      "\n";
  auto history = ReadJsonl(text, "h.jsonl");
  ASSERT_TRUE(history.has_value()) << history.error().message;
  ASSERT_EQ(history->ops.size(), 4u);
  EXPECT_EQ(history->ops[0].revision, 2);
  EXPECT_EQ(history->ops[0].deleted, -1);  // not a delete: unknown
  EXPECT_EQ(history->ops[3].deleted, 1);
  EXPECT_EQ(history->ops[1].return_ns, kInfinity);
  EXPECT_EQ(history->ops[1].f, OpFunction::kCas);
  EXPECT_EQ(history->ops[2].output, std::vector<Value>{Value::Nil()});
  ExpectError(ReadJsonl(R"({"client":1,"invoke_ns":1,"return_ns":2,"status":"ok","f":"get",)"
                        R"("key":"a","result":"x","colour":1})",
                        "u.jsonl"),
              "u.jsonl:1:", "unexpected member \"colour\"");
  ExpectError(ReadJsonl("\n{\"client\":1,}", "s.jsonl"), "s.jsonl:2:13:",
              "expected a member name string");
  ExpectError(ReadJsonl(R"({"client":1,"invoke_ns":1.5,"return_ns":2,"status":"ok","f":"get",)"
                        R"("key":"a","result":"x"})",
                        "f.jsonl"),
              "f.jsonl:1:", "\"invoke_ns\": expected a non-negative integer (no fractions");
  // Keys and values that are not UTF-8 travel as base64; anything else that
  // is not valid UTF-8 is refused where it stands.
  auto binary = ReadJsonl(R"({"client":1,"invoke_ns":1,"return_ns":2,"status":"ok","f":"put",)"
                          R"("key":{"base64":"/wA="},"value":"v"})",
                          "b.jsonl");
  ASSERT_TRUE(binary.has_value()) << binary.error().message;
  EXPECT_EQ(binary->ops[0].key, std::string("\xff\x00", 2));
  ExpectError(ReadJsonl("{\"client\":1,\"key\":\"\xff\"}", "u8.jsonl"), "u8.jsonl:1:20:",
              "expected valid UTF-8");
  ExpectError(ReadJsonl(R"({"client":1,"invoke_ns":1,"return_ns":2,"status":"ok","f":"put",)"
                        R"("key":{"base64":"/w"},"value":"v"})",
                        "b64.jsonl"),
              "b64.jsonl:1:", "\"key\": expected a string or {\"base64\": ...}");
  ExpectError(ReadJsonl(R"({"client":1,"invoke_ns":1,"return_ns":null,"status":"ok","f":"get"})",
                        "n.jsonl"),
              "n.jsonl:1:", "requires \"status\": \"info\"");
}

TEST(Reader, DetectsFormats) {
  EXPECT_EQ(DetectFormat("\n{\"client\":1}\n"), HistoryFormat::kJsonl);
  EXPECT_EQ(DetectFormat("{:process 0, :type :invoke, :f :get, :key \"1\"}"),
            HistoryFormat::kPorcupineKv);
  EXPECT_EQ(DetectFormat("{:type :invoke, :f :read, :value nil, :process 0}"),
            HistoryFormat::kJepsenEdn);
  auto missing = ReadHistoryFile("/nonexistent/h.edn", HistoryFormat::kAuto, nullptr);
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("/nonexistent/h.edn"), std::string::npos);
  auto directory = ReadHistoryFile("/", HistoryFormat::kAuto, nullptr);
  ASSERT_FALSE(directory.has_value());
  EXPECT_NE(directory.error().message.find("not a readable regular file"), std::string::npos);
}

}  // namespace
}  // namespace raftlab::checker
