#include "fake_apiserver/kubeconfig.h"

#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "fake_apiserver/base64.h"

namespace sluice::fake_apiserver {
namespace {

// A YAML double-quoted scalar: JSON's string escapes are valid YAML ones.
std::string Quoted(const std::string& text) { return nlohmann::json(text).dump(); }

std::string Data(const std::string& pem) { return Base64Encode(pem, Base64Alphabet::kStandard); }

}  // namespace

std::string RenderKubeconfig(const KubeconfigContent& c) {
  std::string out =
      "apiVersion: v1\n"
      "kind: Config\n"
      "clusters:\n"
      "- name: fake-apiserver\n"
      "  cluster:\n"
      "    server: " + Quoted(c.server) + "\n"
      "    certificate-authority-data: " + Data(c.ca_cert_pem) + "\n"
      "contexts:\n"
      "- name: fake-apiserver\n"
      "  context:\n"
      "    cluster: fake-apiserver\n"
      "    user: sluice\n"
      "current-context: fake-apiserver\n"
      "users:\n"
      "- name: sluice\n"
      "  user:";
  bool any = false;
  if (!c.token.empty()) {
    out += "\n    token: " + Quoted(c.token);
    any = true;
  }
  if (!c.client_cert_pem.empty()) {
    out += "\n    client-certificate-data: " + Data(c.client_cert_pem);
    out += "\n    client-key-data: " + Data(c.client_key_pem);
    any = true;
  }
  out += any ? "\n" : " {}\n";
  return out;
}

void WriteKubeconfigFile(const std::string& path, const KubeconfigContent& content) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << RenderKubeconfig(content);
    if (!out) throw std::runtime_error("cannot write kubeconfig " + path);
  }
  chmod(path.c_str(), 0600);
}

}  // namespace sluice::fake_apiserver
