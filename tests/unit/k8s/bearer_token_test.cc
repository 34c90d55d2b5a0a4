// The bearer token follows its file the way kubelet rotates projected tokens.
#include "k8s/bearer_token.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <filesystem>

#include "config_test_files.h"

namespace sluice::k8s {
namespace {

using testing::ScratchDir;

// kubelet's way: a new file renamed over the old one (a new inode).
void Rotate(const ScratchDir& dir, const std::string& name, const std::string& text) {
  std::string fresh = dir.Write(name + ".new", text);
  std::filesystem::rename(fresh, dir.path() / name);
}

TEST(BearerTokenTest, InlineTokenOnly) {
  BearerToken token("inline", "");
  EXPECT_EQ(token.Current(), "inline");
  EXPECT_FALSE(token.Refresh());
  EXPECT_EQ(BearerToken("", "").Current(), "");
}

TEST(BearerTokenTest, FileWinsOverInlineAndIsTrimmed) {
  ScratchDir dir;
  std::string file = dir.Write("token", "  from-file\n");
  BearerToken token("inline", file);
  EXPECT_EQ(token.Current(), "from-file");
}

TEST(BearerTokenTest, FollowsARotatedFile) {
  ScratchDir dir;
  std::string file = dir.Write("token", "first\n");
  BearerToken token("", file);
  EXPECT_EQ(token.Current(), "first");
  Rotate(dir, "token", "second\n");
  EXPECT_EQ(token.Current(), "second");
  Rotate(dir, "token", "third\n");
  EXPECT_EQ(token.Current(), "third");
}

TEST(BearerTokenTest, RefreshReadsARewriteThatStatCannotSee) {
  ScratchDir dir;
  std::string file = dir.Write("token", "aaaa");
  BearerToken token("", file);
  EXPECT_EQ(token.Current(), "aaaa");

  struct stat before {};
  ASSERT_EQ(::stat(file.c_str(), &before), 0);
  dir.Write("token", "bbbb");  // in place: same inode and size
  timespec times[2] = {before.st_mtim, before.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, file.c_str(), times, 0), 0);

  EXPECT_EQ(token.Current(), "aaaa");  // stat() shows no change: no read
  EXPECT_TRUE(token.Refresh());         // the 401 path reads anyway
  EXPECT_EQ(token.Current(), "bbbb");
  EXPECT_FALSE(token.Refresh());        // nothing new: a retry would not help
}

TEST(BearerTokenTest, AnUnreadableFileKeepsTheLastGoodToken) {
  ScratchDir dir;
  std::string file = dir.Write("token", "good");
  BearerToken token("inline", file);
  EXPECT_EQ(token.Current(), "good");
  std::filesystem::remove(file);
  EXPECT_EQ(token.Current(), "good");
  EXPECT_FALSE(token.Refresh());
  dir.Write("token", "back");
  EXPECT_EQ(token.Current(), "back");
}

TEST(BearerTokenTest, AFileThatNeverWasReadableFallsBackToInline) {
  ScratchDir dir;
  BearerToken token("inline", (dir.path() / "absent").string());
  EXPECT_EQ(token.Current(), "inline");
  dir.Write("absent", "appeared");
  EXPECT_EQ(token.Current(), "appeared");
}

TEST(BearerTokenTest, ALineBreakInsideTheTokenIsRefused) {
  ScratchDir dir;
  std::string file = dir.Write("token", "good");
  BearerToken token("", file);
  EXPECT_EQ(token.Current(), "good");
  Rotate(dir, "token", "evil\r\nX-Injected: 1");
  EXPECT_EQ(token.Current(), "good");
}

}  // namespace
}  // namespace sluice::k8s
