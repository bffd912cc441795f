"""nbgrader's collect, copying a submission from the exchange without following anything in it.

Students can write the inbound folder while the instructor collects; nbgrader's `shutil.copytree`
follows a link into the answer key and blocks on a named pipe. `SafeCollect` (selected by
nbgrader_config.py) copies with `nnkit.collect.nofollow.copy_tree`, logs a submission it cannot
collect and goes on, and copies no file past its size when opened (docs/sandbox.md). With
`refuse_foreign` (a JupyterHub: a Unix user per student) it collects no folder owned by another
user than the student it names: nbgrader only warns, and a student may write one for a classmate.
"""
import glob
import os
import pwd
import shutil
import stat

from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.utils import ignore_patterns
from traitlets import Bool

from nnkit.collect.nofollow import copy_tree, hardlinks_unprotected, size


class SafeCollect(ExchangeCollect):
    refuse_foreign = Bool(False, help="Collect no submission whose folder another Unix user than the student "
                                      "it names owns; that student's latest own submission instead").tag(config=True)

    def init_src(self):
        problem = hardlinks_unprotected()
        if problem:
            self.fail(f"refusing to collect: {problem}")
        super().init_src()
        if self.refuse_foreign:
            self.src_records = [record for record in map(self.owned, self.src_records) if record]

    def owner(self, record) -> str | None:
        try:
            return pwd.getpwuid(os.lstat(os.path.join(self.inbound_path, record["filename"])).st_uid).pw_name
        except (KeyError, OSError):
            return None

    def owned(self, record):
        """The record if the student it names owns its folder; else that student's latest own one (or None)."""
        if self.owner(record) == record["username"]:
            return record
        self.log.error("Not collected: %s names %s but belongs to %s", record["filename"], record["username"],
                       self.owner(record))
        pattern = os.path.join(self.inbound_path, f"{glob.escape(record['username'])}+"
                                                  f"{glob.escape(self.coursedir.assignment_id)}+*")
        own = [r for r in map(self._path_to_record, glob.glob(pattern))
               if r["username"] == record["username"] and self.owner(r) == r["username"]]
        return self._sort_by_timestamp(own)[0] if own else None

    def get_size(self, root):
        """nbgrader's, by `nnkit.collect.nofollow.walk`: without recursion, however deep the student's folders nest."""
        return size(root)

    def do_copy(self, src, dest, log=None):
        """Collect one submission; whatever goes wrong with it (too big, unreadable, a folder that
        changes under the copy) costs only that submission, recorded as not collected in one line,
        and collection goes on with the next student's."""
        try:
            self.copy_submission(src, dest)
        except Exception as error:  # noqa: BLE001 - a student's submission never stops everyone's collect
            self.log.error("Not collected: %s: %s: %s", src, type(error).__name__, error)
            if os.path.lexists(dest):
                shutil.rmtree(dest, ignore_errors=True)  # our partial copy: no link in it is followed

    def copy_submission(self, src, dest):
        status = os.lstat(src)
        if not stat.S_ISDIR(status.st_mode):  # the submission itself replaced by a link: copy nothing
            self.log.error("Not collected: %s is not a folder (a link?)", src)
            return
        total = self.get_size(src)
        if total > 1000 * self.coursedir.max_dir_size:
            raise RuntimeError(
                f"Directory size is too big. Size is {total}, maximum size is {1000 * self.coursedir.max_dir_size}"
            )
        max_file = self.coursedir.max_file_size
        recorded = copy_tree(src, dest, ignore_patterns(exclude=self.coursedir.ignore, include=self.coursedir.include,
                                                        max_file_size=max_file, log=self.log),
                             max_file_bytes=1000 * max_file if max_file else None)
        for name, what in recorded:
            self.log.warning("%s: %s is %s: not collected (the submission will not be gradable)", dest, name, what)
        if self.coursedir.groupshared:  # as nbgrader's: ug+rw(x), never through a link
            for folder, _, names in os.walk(dest):
                os.chmod(folder, (os.stat(folder).st_mode | 0o2770) & 0o2777)
                for name in names:
                    path = os.path.join(folder, name)
                    if not os.path.islink(path):
                        os.chmod(path, (os.lstat(path).st_mode | 0o660) & 0o777)
