import pytest

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium",
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run"]}

@pytest.mark.e2e
def test_page(page):
    page.set_content("<h1>hi</h1>")
    page.add_script_tag(path="/work/main/static/vendor/axe.min.js")
    page.add_script_tag(path="/work/main/static/vendor/htmx.min.js")
    assert page.evaluate("typeof axe.run") == "function"
    assert page.evaluate("htmx.version").startswith("2.0")

def test_app_import():
    from journey import create_app  # noqa
