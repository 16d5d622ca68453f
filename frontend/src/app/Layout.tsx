import { useEffect, useRef } from "react";
import { NavLink, Outlet, useLocation } from "react-router";

const LINKS = [
  { to: "/", label: "Search", end: true },
  { to: "/upload", label: "Upload", end: false },
  { to: "/jobs", label: "Jobs", end: false },
  { to: "/settings", label: "Settings", end: false },
];

export function Layout() {
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  // Move focus to the page after client-side navigation, as a full page load would.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [location.pathname]);
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <NavLink to="/" className="brand" end>
          corpus
        </NavLink>
        <nav aria-label="Main">
          <ul>
            {LINKS.map((l) => (
              <li key={l.to}>
                <NavLink to={l.to} end={l.end}>
                  {l.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
