// A page of a keyset-paginated list: the items, and whether more follow after the last one.
export interface Page<T> {
  items: T[];
  more: boolean;
}
