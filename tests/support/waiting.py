"""Waiting on what may block: a call given a deadline, in a thread of its own."""
import threading


def with_timeout(function, seconds=300):
    """function(), or a failure when it is still blocked after `seconds` (a pipe opened)."""
    done = {}

    def run():
        try:
            done["result"] = function()
        except BaseException as error:  # raised here, in the test's thread
            done["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if "error" in done:
        raise done["error"]
    assert "result" in done, f"still blocked after {seconds} s"
    return done["result"]
