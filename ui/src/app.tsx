/**
 * The dashboard: sign in, then the shell (header, navigation, the page).
 * Who the key is comes from GET /admin/me; the pages it may see follow from
 * its role and the gateway's features (lib/access.ts).
 */
import { useCallback, useEffect, useState } from "react";
import { api, explain, KEY_REFUSED, session } from "./api/client";
import { visiblePages, type Me, type PageId } from "./lib/access";
import { useLocation } from "./router";
import { Shell } from "./components/shell";
import { SignIn } from "./pages/sign-in";
import { Loading } from "./components/states";

export function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [checking, setChecking] = useState(() => session.key() !== null);
  const [notice, setNotice] = useState<string | null>(null);

  const signOut = useCallback((why: string | null = null) => {
    session.clear();
    setMe(null);
    setNotice(why);
  }, []);

  const signIn = useCallback(async (key: string): Promise<void> => {
    session.save(key);
    try {
      setMe(await api<Me>("/admin/me"));
      setNotice(null);
    } catch (err) {
      session.clear();
      throw err;
    }
  }, []);

  // A key kept from earlier in this tab: check it is still good.
  useEffect(() => {
    const key = session.key();
    if (key === null) return;
    api<Me>("/admin/me").then(setMe, (err: unknown) => {
      session.clear();
      setNotice(explain(err));
    }).finally(() => setChecking(false));
  }, []);

  useEffect(() => {
    const refused = (e: Event): void => signOut(`The gateway refused the key: ${String((e as CustomEvent).detail)} Sign in again.`);
    window.addEventListener(KEY_REFUSED, refused);
    return () => window.removeEventListener(KEY_REFUSED, refused);
  }, [signOut]);

  if (checking && me === null) return <main className="center"><Loading what="your session" /></main>;
  if (me === null) return <SignIn onSignIn={signIn} notice={notice} />;
  return <Routed me={me} onSignOut={() => signOut(null)} />;
}

function Routed({ me, onSignOut }: { me: Me; onSignOut: () => void }) {
  const { path } = useLocation();
  const pages = visiblePages(me, BUILT);
  const first = path.split("/")[1] ?? "";
  const asked: PageId = first === "" ? "overview" : (first as PageId);
  const page: PageId | null = pages.includes(asked) ? asked : null;
  return <Shell me={me} pages={pages} current={page} onSignOut={onSignOut} path={path} />;
}

/** Pages with a view in this build (each still needs its feature: GET /admin/me's `features`). */
export const BUILT: PageId[] = ["overview", "logs", "keys", "teams", "providers", "usage", "playground", "workflows", "prompts", "routing"];
