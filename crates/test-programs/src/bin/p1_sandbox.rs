//! Every way out of a preopened directory, tried from inside `scratch`.
//! The host test puts a decoy `canary.txt` and `outside/` next to the
//! preopened directory and checks afterwards that nothing outside changed.

use test_programs::{preopen, show};
use wasi::*;

fn main() {
    let dir = preopen("scratch");
    unsafe {
        let open = |path: &str, oflags: Oflags, follow: bool| {
            let flags = if follow { LOOKUPFLAGS_SYMLINK_FOLLOW } else { 0 };
            path_open(dir, flags, path, oflags, RIGHTS_FD_READ | RIGHTS_FD_WRITE, 0, 0).map(|_| ())
        };
        show("open ../canary.txt", open("../canary.txt", 0, true));
        show("open /canary.txt", open("/canary.txt", 0, true));
        show("open / itself", open("/", OFLAGS_DIRECTORY, true));
        show("open ..", open("..", OFLAGS_DIRECTORY, true));
        show("create ../evil.txt", open("../evil.txt", OFLAGS_CREAT, true));
        show("mkdir sub", path_create_directory(dir, "sub"));
        show("open sub/../../canary.txt", open("sub/../../canary.txt", 0, true));
        show("open sub/../inside.txt (stays inside)", open("sub/../inside.txt", 0, true));
        show("stat ../canary.txt", path_filestat_get(dir, 0, "../canary.txt").map(|_| ()));
        show("mkdir ../newdir", path_create_directory(dir, "../newdir"));
        show("mkdir /abs", path_create_directory(dir, "/abs"));
        show("unlink ../canary.txt", path_unlink_file(dir, "../canary.txt"));
        show("rmdir ../outside", path_remove_directory(dir, "../outside"));
        show(
            "set times ../canary.txt",
            path_filestat_set_times(dir, 0, "../canary.txt", 1, 1, FSTFLAGS_ATIM | FSTFLAGS_MTIM),
        );
        show("symlink out (relative)", path_symlink("../canary.txt", dir, "up_link"));
        show("open up_link follow", open("up_link", 0, true));
        show(
            "stat up_link follow",
            path_filestat_get(dir, LOOKUPFLAGS_SYMLINK_FOLLOW, "up_link").map(|_| ()),
        );
        show("create through up_link", open("up_link", OFLAGS_CREAT | OFLAGS_TRUNC, true));
        show("symlink out (absolute)", path_symlink("/etc/passwd", dir, "abs_link"));
        show("open abs_link follow", open("abs_link", 0, true));
        show("symlink to outside dir", path_symlink("../outside", dir, "dir_link"));
        show("open through dir_link", open("dir_link/secret.txt", 0, true));
        show("create through dir_link", open("dir_link/new.txt", OFLAGS_CREAT, true));
        show("hard link out", path_link(dir, 0, "../canary.txt", dir, "stolen"));
        show("hard link into outside", path_link(dir, 0, "inside.txt", dir, "../outside/planted"));
        show("rename out", path_rename(dir, "inside.txt", dir, "../moved.txt"));
        show("rename in", path_rename(dir, "../canary.txt", dir, "taken.txt"));
        show("rename via dir_link", path_rename(dir, "inside.txt", dir, "dir_link/moved.txt"));
        show("rename dir_link's target", path_rename(dir, "dir_link/secret.txt", dir, "got.txt"));
        let mut buf = [0u8; 64];
        show("readlink up_link", path_readlink(dir, "up_link", buf.as_mut_ptr(), 64).map(|_| ()));
        show("remove up_link", path_unlink_file(dir, "up_link"));
        show("remove abs_link", path_unlink_file(dir, "abs_link"));
        show("remove dir_link", path_unlink_file(dir, "dir_link"));
        show("rmdir sub", path_remove_directory(dir, "sub"));
    }
}
