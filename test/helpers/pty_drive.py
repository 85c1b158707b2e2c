"""Drives a command under a pseudo-terminal (Node has none built in): waits for each prompt text, then
types the answer. Usage: pty_drive.py '<json [[prompt, keys], ...]>' cmd args...  Prints the transcript
without ANSI codes; exits with the command's exit code, or 124 when a prompt does not appear in time."""
import json, os, pty, re, select, sys, time

steps = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])

transcript = b""
clean = lambda b: re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", b).decode(errors="replace")

def read_until(deadline, needle=None):
    global transcript
    while time.time() < deadline:
        if needle is not None and needle in clean(transcript):
            return True
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                return needle is None
            if not chunk:
                return needle is None
            transcript += chunk
    return needle is None

for prompt, keys in steps:
    if not read_until(time.time() + 20, prompt):
        print(clean(transcript))
        print(f"timed out waiting for prompt: {prompt}")
        sys.exit(124)
    transcript = b""  # the next prompt must appear after this answer
    os.write(fd, keys.encode())
    time.sleep(0.2)
read_until(time.time() + 60)
_, status = os.waitpid(pid, 0)
print(clean(transcript))
sys.exit(os.waitstatus_to_exitcode(status))
