/** "light" | "dark" as chosen by the user; absent means "follow the system". */
export type ThemeChoice = "system" | "light" | "dark";
export const THEME_STORAGE_KEY = "tb-theme";

/**
 * Runs in <head> before the first paint, so a stored choice never flashes the other theme. Kept tiny and
 * self-contained (no imports); a blocked localStorage (private modes) just means "system".
 */
export const THEME_INIT_SCRIPT = `(function(){try{var t=localStorage.getItem(${JSON.stringify(THEME_STORAGE_KEY)});if(t==="light"||t==="dark")document.documentElement.setAttribute("data-theme",t)}catch(e){}})();`;

