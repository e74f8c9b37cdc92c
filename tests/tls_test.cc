// TLS and mutual TLS with throwaway certificates made by the openssl CLI:
// a client without the right certificate is refused.
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "grpcpp/security/credentials.h"
#include "tests/fixtures/plaudit_fixture.h"

namespace plaudit::testing {
namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class TlsTest : public PlauditTest {
 protected:
  void SetUp() override {
    PlauditTest::SetUp();
    dir_ = getenv("TEST_TMPDIR");
    std::ofstream(dir_ + "/san.ext") << "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
    const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    auto run = [&](const std::string& command) {
      ASSERT_EQ(std::system(absl::StrCat("cd ", dir_, " && ", command,
                                         " >/dev/null 2>&1").c_str()), 0)
          << command;
    };
    // A CA, a server certificate, a client certificate it signed, and a
    // client certificate signed by nobody we trust.
    run("openssl req -x509 " + ec + " -keyout ca.key -out ca.pem -days 1 -subj /CN=plaudit-test-ca");
    for (const std::string name : {"server", "client"}) {
      run("openssl req " + ec + " -keyout " + name + ".key -out " + name +
          ".csr -subj /CN=" + (name == "server" ? "localhost" : "portal"));
      run("openssl x509 -req -in " + name + ".csr -CA ca.pem -CAkey ca.key "
          "-CAcreateserial -days 1 -extfile san.ext -out " + name + ".pem");
    }
    run("openssl req -x509 " + ec + " -keyout rogue.key -out rogue.pem -days 1 -subj /CN=rogue");
  }

  std::unique_ptr<PlauditServer> StartTls(bool mutual) {
    ServerOptions options = Options();
    options.tls_cert = dir_ + "/server.pem";
    options.tls_key = dir_ + "/server.key";
    if (mutual) options.tls_client_ca = dir_ + "/ca.pem";
    return StartServer(options);
  }

  // GetBalance over `credentials`; the status tells whether we got in.
  grpc::Status Try(int port, std::shared_ptr<grpc::ChannelCredentials> credentials) {
    auto channel = grpc::CreateChannel(absl::StrCat("localhost:", port), credentials);
    auto stub = v1::AccountService::NewStub(channel);
    v1::GetBalanceRequest request;
    request.set_user_id("ann");
    v1::GetBalanceResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    return stub->GetBalance(&context, request, &response);
  }

  std::shared_ptr<grpc::ChannelCredentials> Tls(const std::string& client = "") {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = Read(dir_ + "/ca.pem");
    if (!client.empty()) {
      ssl.pem_cert_chain = Read(dir_ + "/" + client + ".pem");
      ssl.pem_private_key = Read(dir_ + "/" + client + ".key");
    }
    return grpc::SslCredentials(ssl);
  }

  std::string dir_;
};

TEST_F(TlsTest, TlsServesTlsClientsOnly) {
  auto server = StartTls(/*mutual=*/false);
  ASSERT_NE(server, nullptr);
  EXPECT_TRUE(Try(server->port(), Tls()).ok());
  EXPECT_FALSE(Try(server->port(), grpc::InsecureChannelCredentials()).ok());
}

TEST_F(TlsTest, MutualTlsRefusesClientsWithoutTheRightCertificate) {
  auto server = StartTls(/*mutual=*/true);
  ASSERT_NE(server, nullptr);
  EXPECT_TRUE(Try(server->port(), Tls("client")).ok());
  EXPECT_EQ(Try(server->port(), Tls()).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Try(server->port(), Tls("rogue")).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, MissingCertificateFilesStopTheStart) {
  ServerOptions options = Options();
  options.tls_cert = dir_ + "/nope.pem";
  options.tls_key = dir_ + "/server.key";
  const auto server = PlauditServer::Start(options);
  EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(server.status().message().find("tls_cert"), std::string::npos);
}

}  // namespace
}  // namespace plaudit::testing
