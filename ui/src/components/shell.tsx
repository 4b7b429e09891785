/**
 * The frame around every page: a skip link, the header (who is signed in,
 * the theme, sign out), the navigation (a menu button on narrow screens)
 * and the page in <main>. Focus moves to the page's heading on navigation,
 * so keyboard and screen-reader users land where the new content begins.
 */
import { useEffect, useRef, useState, type ReactNode } from "react";
import { PAGE_TITLES, type Me, type PageId } from "../lib/access";
import { useStoredState } from "../hooks";
import { Link } from "../router";
import { OverviewPage } from "../pages/overview";
import { LogsPage } from "../pages/logs";
import { LogDetailPage } from "../pages/log-detail";
import { KeysPage } from "../pages/keys";
import { TeamsPage } from "../pages/teams";
import { ProvidersPage } from "../pages/providers";
import { UsagePage } from "../pages/usage";
import { PlaygroundPage } from "../pages/playground";
import { WorkflowsPage } from "../pages/workflows";
import { PromptsPage } from "../pages/prompts";
import { RoutingPage } from "../pages/routing";

type Theme = "system" | "light" | "dark";

function useTheme(): [Theme, (t: Theme) => void] {
  const [theme, setTheme] = useStoredState<Theme>("theme", "system");
  useEffect(() => {
    if (theme === "system") document.documentElement.removeAttribute("data-theme");
    else document.documentElement.setAttribute("data-theme", theme);
  }, [theme]);
  return [theme, setTheme];
}

function pageView(page: PageId, rest: string[], me: Me): ReactNode {
  switch (page) {
    case "overview": return <OverviewPage me={me} />;
    case "logs": return rest[0] ? <LogDetailPage id={decodeURIComponent(rest[0])} me={me} /> : <LogsPage me={me} />;
    case "keys": return <KeysPage me={me} />;
    case "teams": return <TeamsPage me={me} />;
    case "providers": return <ProvidersPage me={me} />;
    case "usage": return <UsagePage me={me} />;
    case "playground": return <PlaygroundPage me={me} />;
    case "workflows": return <WorkflowsPage me={me} />;
    case "prompts": return <PromptsPage me={me} />;
    case "routing": return <RoutingPage me={me} />;
    default: return null;
  }
}

export function Shell({ me, pages, current, path, onSignOut }: { me: Me; pages: PageId[]; current: PageId | null; path: string; onSignOut: () => void }) {
  const [theme, setTheme] = useTheme();
  const [menuOpen, setMenuOpen] = useState(false);
  const main = useRef<HTMLElement>(null);
  // The Overview is the home page; a key that may not see it starts on its first page.
  const page = current ?? (path === "" ? pages[0] ?? null : null);
  const rest = path.split("/").slice(2);

  useEffect(() => {
    setMenuOpen(false);
    const h1 = main.current?.querySelector("h1");
    if (h1 && document.activeElement !== document.body) h1.focus();
    document.title = page ? `${PAGE_TITLES[page]} · Liaison` : "Liaison";
  }, [path, page]);

  return (
    <div className="shell">
      <a className="skip" href="#main">Skip to content</a>
      <header className="top">
        <span className="brand">Liaison</span>
        <button type="button" className="menu-button" aria-expanded={menuOpen} aria-controls="nav" onClick={() => setMenuOpen((o) => !o)}>Menu</button>
        <div className="who">
          <span>Signed in as <strong>{me.name}</strong> <span className="badge neutral">{me.role}</span></span>
          <label className="theme">
            <span>Theme</span>
            <select value={theme} onChange={(e) => setTheme(e.target.value as Theme)}>
              <option value="system">System</option>
              <option value="light">Light</option>
              <option value="dark">Dark</option>
            </select>
          </label>
          <button type="button" onClick={onSignOut}>Sign out</button>
        </div>
      </header>
      <nav id="nav" aria-label="Main" className={menuOpen ? "open" : undefined}>
        <ul>
          {pages.map((p) => (
            <li key={p}>
              <Link to={p === "overview" ? "/" : `/${p}`} aria-current={p === page ? "page" : undefined}>{PAGE_TITLES[p]}</Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" ref={main} tabIndex={-1}>
        {me.open && <p className="callout warn">Dev mode: this gateway has no <code>admin_key</code>, so anyone who can reach it is an admin. Set one before exposing it.</p>}
        {page ? pageView(page, rest, me) : <NotHere pages={pages} />}
      </main>
    </div>
  );
}

function NotHere({ pages }: { pages: PageId[] }) {
  return (
    <>
      <h1 tabIndex={-1}>Page not available</h1>
      <p>This page does not exist, or the signed-in key's role may not see it.</p>
      {pages.length > 0
        ? <p>Go to <Link to={pages[0] === "overview" ? "/" : `/${pages[0]}`}>{PAGE_TITLES[pages[0]!]}</Link>, or sign out and sign in with a key that has the role you need.</p>
        : <p>This key's role can see no page of the dashboard: sign out and sign in with an admin, manager or viewer key.</p>}
    </>
  );
}
