/** The theme a user picked in the header (ThemeSwitch), remembered in a cookie the server reads. */
export type Theme = 'system' | 'light' | 'dark';
export const THEME_COOKIE = 'wk_theme';
