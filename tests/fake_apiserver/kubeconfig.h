// A kubeconfig naming the fake: what the agent under test is started with
// (--kubeconfig), in the layout `kubectl config view --raw` prints.
#pragma once

#include <string>

namespace sluice::fake_apiserver {

struct KubeconfigContent {
  std::string server;       // "https://198.18.0.1:6443"
  std::string ca_cert_pem;  // written as certificate-authority-data
  std::string token;        // "" for none
  std::string client_cert_pem, client_key_pem;  // both or neither
};

std::string RenderKubeconfig(const KubeconfigContent& content);
// Throws std::runtime_error when the file cannot be written. Mode 0600: it holds
// credentials.
void WriteKubeconfigFile(const std::string& path, const KubeconfigContent& content);

}  // namespace sluice::fake_apiserver
