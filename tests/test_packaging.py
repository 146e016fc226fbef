"""A production install from a built wheel serves pages: templates and static files ride
inside the package."""
import subprocess
import sys
import sysconfig
from pathlib import Path

import journal

CHECKOUT = Path(journal.__file__).resolve().parent.parent

SERVE_A_PAGE = """
import journal
from journal import create_app
assert "site-packages" in journal.__file__, journal.__file__
app = create_app({"TESTING": True, "SECRET_KEY": "wheel", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
client = app.test_client()
login = client.get("/login")
assert login.status_code == 200 and b"Log in" in login.data, login.status_code
script = client.get("/static/js/app.js")
assert script.status_code == 200 and b"serviceWorker" in script.data, (script.status_code, app.static_folder)
assert client.get("/sw.js").status_code == 200
from journal.measures.instruments import instruments
assert {"phq9", "gad7", "who5", "pcl5", "meq30"} <= set(instruments()), "instrument files missing from the wheel"
print("served")
"""


def test_a_wheel_installed_in_a_fresh_environment_serves_pages(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(tmp_path / "dist"), str(CHECKOUT)], check=True, cwd=tmp_path,
                   capture_output=True)
    [wheel] = (tmp_path / "dist").glob("*.whl")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "env")], check=True)
    fresh = Path(sysconfig.get_path("purelib", vars={"base": str(tmp_path / "env"),
                                                       "platbase": str(tmp_path / "env")}))
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(fresh),
                    str(wheel)], check=True, capture_output=True)
    # The dependencies come from this environment; the journal package only from the wheel.
    (fresh / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    served = subprocess.run([str(tmp_path / "env" / "bin" / "python"), "-c", SERVE_A_PAGE], cwd=tmp_path,
                            capture_output=True, text=True, env={"PATH": "/usr/bin:/bin",
                                                                   "JOURNAL_INSTANCE_PATH": str(tmp_path / "instance")})
    assert served.returncode == 0, served.stderr[-2000:]
    assert "served" in served.stdout
