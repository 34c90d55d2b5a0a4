// sluice-runtime-default-seccomp: runs a program the way a container runtime runs a
// container whose securityContext says `seccompProfile: RuntimeDefault` and
// `allowPrivilegeEscalation: false`: no_new_privs set, then a seccomp filter equal (on
// x86_64) to the runtime's default profile, then exec.
//
//   sluice-runtime-default-seccomp PROGRAM [ARGS...]
//
// The profile is containerd's default (contrib/seccomp/seccomp_default.go; Docker's and
// CRI-O's agree on everything below): an allowlist of ordinary system calls, and the
// privileged ones only when the matching capability is in the bounding set, which the
// runtime fills from the container's capabilities: `bpf` with CAP_BPF,
// `perf_event_open` with CAP_PERFMON, mount/setns/unshare/namespace-creating clone and
// more with CAP_SYS_ADMIN. Anything else fails with EPERM (clone3 with ENOSYS, so that
// libc falls back to clone). Like the runtime, this reads the capabilities from its own
// bounding set, so run it after the capabilities have been dropped (setpriv, capsh).
//
// The end-to-end tests run sluice-agent under it to show the DaemonSet's
// `seccompProfile: RuntimeDefault` does not get in the agent's way.
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <vector>

namespace {

#if !defined(__x86_64__)
#error "sluice-runtime-default-seccomp knows the x86_64 system call numbers only"
#endif

// The default profile's unconditional allowlist, as far as x86_64 has the calls (the
// profile also names 32-bit and other architectures' variants: chown32, mmap2, ...).
constexpr long kAllowed[] = {
    SYS_accept, SYS_accept4, SYS_access, SYS_adjtimex, SYS_alarm, SYS_bind, SYS_brk,
    SYS_capget, SYS_capset, SYS_chdir, SYS_chmod, SYS_chown, SYS_clock_adjtime,
    SYS_clock_getres, SYS_clock_gettime, SYS_clock_nanosleep, SYS_close, SYS_close_range,
    SYS_connect, SYS_copy_file_range, SYS_creat, SYS_dup, SYS_dup2, SYS_dup3, SYS_epoll_create,
    SYS_epoll_create1, SYS_epoll_ctl, SYS_epoll_ctl_old, SYS_epoll_pwait, SYS_epoll_pwait2,
    SYS_epoll_wait, SYS_epoll_wait_old, SYS_eventfd, SYS_eventfd2, SYS_execve, SYS_execveat,
    SYS_exit, SYS_exit_group, SYS_faccessat, SYS_faccessat2, SYS_fadvise64, SYS_fallocate,
    SYS_fanotify_mark, SYS_fchdir, SYS_fchmod, SYS_fchmodat, SYS_fchown, SYS_fchownat,
    SYS_fcntl, SYS_fdatasync, SYS_fgetxattr, SYS_flistxattr, SYS_flock, SYS_fork,
    SYS_fremovexattr, SYS_fsetxattr, SYS_fstat, SYS_fstatfs, SYS_fsync, SYS_ftruncate,
    SYS_futex, SYS_futex_waitv, SYS_futimesat, SYS_getcpu, SYS_getcwd, SYS_getdents,
    SYS_getdents64, SYS_getegid, SYS_geteuid, SYS_getgid, SYS_getgroups, SYS_getitimer,
    SYS_getpeername, SYS_getpgid, SYS_getpgrp, SYS_getpid, SYS_getppid, SYS_getpriority,
    SYS_getrandom, SYS_getresgid, SYS_getresuid, SYS_getrlimit, SYS_get_robust_list,
    SYS_getrusage, SYS_getsid, SYS_getsockname, SYS_getsockopt, SYS_get_thread_area,
    SYS_gettid, SYS_gettimeofday, SYS_getuid, SYS_getxattr, SYS_inotify_add_watch,
    SYS_inotify_init, SYS_inotify_init1, SYS_inotify_rm_watch, SYS_io_cancel, SYS_ioctl,
    SYS_io_destroy, SYS_io_getevents, SYS_io_pgetevents, SYS_ioprio_get, SYS_ioprio_set,
    SYS_io_setup, SYS_io_submit, SYS_io_uring_enter, SYS_io_uring_register, SYS_io_uring_setup,
    SYS_kill, SYS_landlock_add_rule, SYS_landlock_create_ruleset, SYS_landlock_restrict_self,
    SYS_lchown, SYS_lgetxattr, SYS_link, SYS_linkat, SYS_listen, SYS_listxattr, SYS_llistxattr,
    SYS_lremovexattr, SYS_lseek, SYS_lsetxattr, SYS_lstat, SYS_madvise, SYS_membarrier,
    SYS_memfd_create, SYS_memfd_secret, SYS_mincore, SYS_mkdir, SYS_mkdirat, SYS_mknod,
    SYS_mknodat, SYS_mlock, SYS_mlock2, SYS_mlockall, SYS_mmap, SYS_mprotect,
    SYS_mq_getsetattr, SYS_mq_notify, SYS_mq_open, SYS_mq_timedreceive, SYS_mq_timedsend,
    SYS_mq_unlink, SYS_mremap, SYS_msgctl, SYS_msgget, SYS_msgrcv, SYS_msgsnd, SYS_msync,
    SYS_munlock, SYS_munlockall, SYS_munmap, SYS_nanosleep, SYS_newfstatat, SYS_open,
    SYS_openat, SYS_openat2, SYS_pause, SYS_pidfd_open, SYS_pidfd_send_signal, SYS_pipe,
    SYS_pipe2, SYS_poll, SYS_ppoll, SYS_prctl, SYS_pread64, SYS_preadv, SYS_preadv2,
    SYS_prlimit64, SYS_process_mrelease, SYS_pselect6, SYS_pwrite64, SYS_pwritev, SYS_pwritev2,
    SYS_read, SYS_readahead, SYS_readlink, SYS_readlinkat, SYS_readv, SYS_recvfrom,
    SYS_recvmmsg, SYS_recvmsg, SYS_remap_file_pages, SYS_removexattr, SYS_rename, SYS_renameat,
    SYS_renameat2, SYS_restart_syscall, SYS_rmdir, SYS_rseq, SYS_rt_sigaction,
    SYS_rt_sigpending, SYS_rt_sigprocmask, SYS_rt_sigqueueinfo, SYS_rt_sigreturn,
    SYS_rt_sigsuspend, SYS_rt_sigtimedwait, SYS_rt_tgsigqueueinfo, SYS_sched_getaffinity,
    SYS_sched_getattr, SYS_sched_getparam, SYS_sched_get_priority_max,
    SYS_sched_get_priority_min, SYS_sched_getscheduler, SYS_sched_rr_get_interval,
    SYS_sched_setaffinity, SYS_sched_setattr, SYS_sched_setparam, SYS_sched_setscheduler,
    SYS_sched_yield, SYS_seccomp, SYS_select, SYS_semctl, SYS_semget, SYS_semop,
    SYS_semtimedop, SYS_sendfile, SYS_sendmmsg, SYS_sendmsg, SYS_sendto, SYS_setfsgid,
    SYS_setfsuid, SYS_setgid, SYS_setgroups, SYS_setitimer, SYS_setpgid, SYS_setpriority,
    SYS_setregid, SYS_setresgid, SYS_setresuid, SYS_setreuid, SYS_setrlimit,
    SYS_set_robust_list, SYS_setsid, SYS_setsockopt, SYS_set_thread_area, SYS_set_tid_address,
    SYS_setuid, SYS_setxattr, SYS_shmat, SYS_shmctl, SYS_shmdt, SYS_shmget, SYS_shutdown,
    SYS_sigaltstack, SYS_signalfd, SYS_signalfd4, SYS_socket, SYS_socketpair, SYS_splice,
    SYS_stat, SYS_statfs, SYS_statx, SYS_symlink, SYS_symlinkat, SYS_sync, SYS_sync_file_range,
    SYS_syncfs, SYS_sysinfo, SYS_tee, SYS_tgkill, SYS_time, SYS_timer_create, SYS_timer_delete,
    SYS_timer_getoverrun, SYS_timer_gettime, SYS_timer_settime, SYS_timerfd_create,
    SYS_timerfd_gettime, SYS_timerfd_settime, SYS_times, SYS_tkill, SYS_truncate, SYS_umask,
    SYS_uname, SYS_unlink, SYS_unlinkat, SYS_utime, SYS_utimensat, SYS_utimes, SYS_vfork,
    SYS_vmsplice, SYS_wait4, SYS_waitid, SYS_write, SYS_writev, SYS_ptrace, SYS_arch_prctl,
    SYS_modify_ldt,
};

struct CapabilityGated {
  int capability;
  std::vector<long> calls;
};

// Calls the profile allows only when a capability is in the bounding set.
const std::vector<CapabilityGated>& Gated() {
  static const std::vector<CapabilityGated> gated = {
      {CAP_DAC_READ_SEARCH, {SYS_open_by_handle_at}},
      {CAP_SYS_ADMIN,
       {SYS_bpf, SYS_clone, SYS_clone3, SYS_fanotify_init, SYS_fsconfig, SYS_fsmount, SYS_fsopen,
        SYS_fspick, SYS_lookup_dcookie, SYS_mount, SYS_mount_setattr, SYS_move_mount,
        SYS_name_to_handle_at, SYS_open_tree, SYS_perf_event_open, SYS_quotactl, SYS_quotactl_fd,
        SYS_setdomainname, SYS_sethostname, SYS_setns, SYS_syslog, SYS_umount2, SYS_unshare}},
      {CAP_SYS_BOOT, {SYS_reboot}},
      {CAP_SYS_CHROOT, {SYS_chroot}},
      {CAP_SYS_MODULE, {SYS_delete_module, SYS_init_module, SYS_finit_module}},
      {CAP_SYS_PACCT, {SYS_acct}},
      {CAP_SYS_PTRACE,
       {SYS_kcmp, SYS_pidfd_getfd, SYS_process_madvise, SYS_process_vm_readv, SYS_process_vm_writev,
        SYS_ptrace}},
      {CAP_SYS_RAWIO, {SYS_iopl, SYS_ioperm}},
      {CAP_SYS_TIME, {SYS_settimeofday, SYS_clock_settime}},
      {CAP_SYS_TTY_CONFIG, {SYS_vhangup}},
      {CAP_SYSLOG, {SYS_syslog}},
      {CAP_BPF, {SYS_bpf}},
      {CAP_PERFMON, {SYS_perf_event_open}},
  };
  return gated;
}

// Without CAP_SYS_ADMIN, clone may not create namespaces.
constexpr unsigned kNamespaceFlags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |
                                     CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP;
// personality() is allowed for these personas only.
constexpr unsigned kPersonalities[] = {0x0, 0x8, 0x20000, 0x20008, 0xffffffff};

bool InBoundingSet(int capability) { return prctl(PR_CAPBSET_READ, capability, 0, 0, 0) == 1; }

class FilterBuilder {
 public:
  void Load(unsigned offset) { Add(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offset)); }
  void Return(unsigned action) { Add(BPF_STMT(BPF_RET | BPF_K, action)); }
  void And(unsigned mask) { Add(BPF_STMT(BPF_ALU | BPF_AND | BPF_K, mask)); }
  // if A == value: fall through to the next instruction, else skip `skip` of them.
  void IfEqual(unsigned value, unsigned char skip) {
    Add(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, value, 0, skip));
  }
  // if A == value: skip `skip` instructions, else fall through.
  void SkipIfEqual(unsigned value, unsigned char skip) {
    Add(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, value, skip, 0));
  }
  // if A >= value: fall through, else skip `skip` instructions.
  void IfAtLeast(unsigned value, unsigned char skip) {
    Add(BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, value, 0, skip));
  }
  // if A == nr: return `action` (A is kept otherwise).
  void ReturnIfCall(long nr, unsigned action) {
    IfEqual(static_cast<unsigned>(nr), 1);
    Return(action);
  }
  std::vector<sock_filter>& program() { return program_; }

 private:
  void Add(sock_filter insn) { program_.push_back(insn); }
  std::vector<sock_filter> program_;
};

constexpr unsigned kDeny = SECCOMP_RET_ERRNO | EPERM;
constexpr unsigned kNoSys = SECCOMP_RET_ERRNO | ENOSYS;
constexpr unsigned kArch = offsetof(seccomp_data, arch);
constexpr unsigned kNr = offsetof(seccomp_data, nr);
constexpr unsigned kArg0Low = offsetof(seccomp_data, args);  // little endian: low half first

std::vector<sock_filter> BuildFilter() {
  const bool admin = InBoundingSet(CAP_SYS_ADMIN);
  FilterBuilder f;
  f.Load(kArch);
  f.SkipIfEqual(AUDIT_ARCH_X86_64, 1);
  f.Return(kDeny);  // i386 entry points: not for this x86_64 program
  f.Load(kNr);
  f.IfAtLeast(0x40000000, 1);  // x32 numbering: ditto
  f.Return(kDeny);
  if (!admin) {
    // clone without namespace flags.
    f.IfEqual(SYS_clone, 5);
    f.Load(kArg0Low);
    f.And(kNamespaceFlags);
    f.IfEqual(0, 1);
    f.Return(SECCOMP_RET_ALLOW);
    f.Return(kDeny);
    f.ReturnIfCall(SYS_clone3, kNoSys);
  }
  // personality(persona) for a few personas (the low 32 bits are compared).
  constexpr unsigned char kPersonaChecks = sizeof(kPersonalities) / sizeof(kPersonalities[0]);
  f.IfEqual(SYS_personality, 1 + 2 * kPersonaChecks + 1);
  f.Load(kArg0Low);
  for (unsigned persona : kPersonalities) {
    f.IfEqual(persona, 1);
    f.Return(SECCOMP_RET_ALLOW);
  }
  f.Return(kDeny);
  for (long nr : kAllowed) f.ReturnIfCall(nr, SECCOMP_RET_ALLOW);
  for (const CapabilityGated& g : Gated()) {
    if (!InBoundingSet(g.capability)) continue;
    for (long nr : g.calls) f.ReturnIfCall(nr, SECCOMP_RET_ALLOW);
  }
  f.Return(kDeny);
  return f.program();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PROGRAM [ARGS...]\n", argv[0]);
    return 2;
  }
  std::vector<sock_filter> program = BuildFilter();
  if (program.size() > BPF_MAXINSNS) {
    std::fprintf(stderr, "seccomp filter too long (%zu instructions)\n", program.size());
    return 2;
  }
  sock_fprog fprog{static_cast<unsigned short>(program.size()), program.data()};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    std::perror("prctl(PR_SET_NO_NEW_PRIVS)");
    return 127;
  }
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) != 0) {
    std::perror("seccomp(SECCOMP_SET_MODE_FILTER)");
    return 127;
  }
  execvp(argv[1], argv + 1);
  std::fprintf(stderr, "%s: cannot run %s: %s\n", argv[0], argv[1], std::strerror(errno));
  return 127;
}
